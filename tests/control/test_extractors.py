import numpy as np
import pytest
import scipp as sc

from livedata.control.buffers import SingleValueBuffer, TemporalBuffer
from livedata.control.extractors import (
    FullHistory,
    LatestValue,
    WindowAggregate,
    is_counts_like,
)

S = 1_000_000_000


def filled(values, unit="counts", dtype="float64", step_s=1.0) -> TemporalBuffer:
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    for i, v in enumerate(values):
        t = round(i * step_s * S)
        buffer.append(
            sc.DataArray(
                sc.array(dims=["x"], values=np.asarray(v, dtype=dtype), unit=unit),
                coords={
                    "x": sc.arange("x", float(len(v))),
                    "time": sc.scalar(t + S, unit="ns", dtype="int64"),
                    "start_time": sc.scalar(t, unit="ns", dtype="int64"),
                },
            ),
            fallback_time_ns=0,
        )
    return buffer


def test_latest_value_is_the_last_frame():
    buffer = filled([[1, 2], [3, 4]])
    latest = LatestValue().extract(buffer)
    assert latest.values.tolist() == [3.0, 4.0]
    assert latest.coords["time"].value == 2 * S


def test_window_sums_counts_in_the_last_seconds_ignoring_nan():
    buffer = filled([[1, 1], [2, np.nan], [3, 3], [4, 4]])
    result = WindowAggregate(seconds=2.5).extract(buffer)
    # times are 1,2,3,4 s: the window (1.5 s, 4 s] holds the last three frames
    assert result.values.tolist() == [9.0, 7.0]
    assert result.dims == ("x",)
    assert result.coords["time"].value == 4 * S
    assert result.coords["start_time"].value == 1 * S
    assert sc.identical(result.coords["x"], sc.arange("x", 2.0))


def test_window_averages_what_is_not_counts():
    buffer = filled([[10, 20], [30, np.nan]], unit="K")
    result = WindowAggregate(seconds=10).extract(buffer)
    assert result.values.tolist() == [20.0, 20.0]
    assert result.unit == sc.Unit("K")


def test_dimensionless_integers_are_counts_like():
    buffer = filled([[1, 2], [3, 4]], unit="dimensionless", dtype="int64")
    assert WindowAggregate(seconds=10).extract(buffer).values.tolist() == [4, 6]


def test_non_counts_integers_are_averaged_as_floats():
    buffer = filled([[1, 2], [2, 4]], unit="m", dtype="int64")
    assert WindowAggregate(seconds=10).extract(buffer).values.tolist() == [1.5, 3.0]


def test_full_history_has_a_time_axis():
    history = FullHistory().extract(filled([[1, 2], [3, 4], [5, 6]]))
    assert history.sizes == {"time": 3, "x": 2}


def test_single_value_buffers_give_their_latest_value_to_every_extractor():
    buffer = SingleValueBuffer()
    image = sc.DataArray(sc.ones(dims=["y", "x"], shape=[2, 3], unit="counts"))
    buffer.append(image, fallback_time_ns=0)
    for extractor in (LatestValue(), WindowAggregate(5), FullHistory()):
        assert sc.identical(extractor.extract(buffer), image)


def test_empty_buffer_gives_none():
    buffer = TemporalBuffer(memory_cap_bytes=1024)
    for extractor in (LatestValue(), WindowAggregate(5), FullHistory()):
        assert extractor.extract(buffer) is None


def test_window_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        WindowAggregate(0)


def test_counts_like():
    assert is_counts_like(sc.DataArray(sc.scalar(1.0, unit="counts")))
    assert is_counts_like(sc.DataArray(sc.scalar(1, unit="dimensionless")))
    assert not is_counts_like(sc.DataArray(sc.scalar(1.0, unit="dimensionless")))
    assert not is_counts_like(sc.DataArray(sc.scalar(1.0, unit="K")))
