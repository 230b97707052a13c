import numpy as np
import pytest
import scipp as sc

from livedata.control.buffers import (
    SingleValueBuffer,
    TemporalBuffer,
    buffer_for,
    keeps_history,
)


def frame(value: float, t_ns: int, n: int = 3, unit: str = "counts") -> sc.DataArray:
    return sc.DataArray(
        sc.array(dims=["toa"], values=np.full(n, value), unit=unit),
        coords={
            "toa": sc.arange("toa", n + 1.0, unit="ms"),
            "time": sc.scalar(t_ns, unit="ns", dtype="int64"),
            "start_time": sc.scalar(t_ns - 10, unit="ns", dtype="int64"),
        },
        name="spectrum",
    )


def test_history_stacks_frames_along_time_oldest_first():
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    for i in range(5):
        buffer.append(frame(float(i), 1000 + i), fallback_time_ns=0)
    history = buffer.history()
    assert history.dims == ("time", "toa")
    assert history.values[:, 0].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert history.coords["time"].values.tolist() == [1000, 1001, 1002, 1003, 1004]
    assert history.coords["start_time"].values.tolist()[0] == 990
    assert sc.identical(history.coords["toa"], sc.arange("toa", 4.0, unit="ms"))
    assert history.unit == sc.Unit("counts")
    assert history.name == "spectrum"


def test_capacity_doubles_rather_than_growing_per_append():
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    capacities = set()
    for i in range(100):
        buffer.append(frame(float(i), i), fallback_time_ns=0)
        capacities.add(buffer.capacity)
    assert sorted(capacities) == [4, 8, 16, 32, 64, 128]
    assert len(buffer) == 100
    assert buffer.history().values[:, 0].tolist() == [float(i) for i in range(100)]


def test_memory_cap_drops_oldest_and_counts_them():
    one_row = 3 * 8 + 16
    buffer = TemporalBuffer(memory_cap_bytes=10 * one_row)
    for i in range(25):
        buffer.append(frame(float(i), i), fallback_time_ns=0)
    assert buffer.max_rows == 10
    assert len(buffer) == 10
    assert buffer.dropped == 15
    assert buffer.nbytes <= 10 * one_row
    history = buffer.history()
    assert history.values[:, 0].tolist() == [float(i) for i in range(15, 25)]
    assert history.coords["time"].values.tolist() == list(range(15, 25))


def test_variances_are_kept():
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    da = frame(2.0, 5)
    da.variances = np.full(3, 4.0)
    buffer.append(da, fallback_time_ns=0)
    buffer.append(da, fallback_time_ns=0)
    assert buffer.history().variances.tolist() == [[4.0] * 3] * 2


def test_layout_change_starts_a_new_history():
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    buffer.append(frame(1.0, 1, n=3), fallback_time_ns=0)
    buffer.append(frame(2.0, 2, n=5), fallback_time_ns=0)
    assert buffer.resets == 1
    assert buffer.history().sizes == {"time": 1, "toa": 5}


def test_missing_time_coord_uses_message_time():
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    buffer.append(sc.DataArray(sc.scalar(3.0)), fallback_time_ns=42)
    assert buffer.history().coords["time"].values.tolist() == [42]


def test_datetime_time_coord_round_trips():
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    da = sc.DataArray(
        sc.scalar(1.0),
        coords={"time": sc.datetime(1_700_000_000_000_000_000, unit="ns")},
    )
    buffer.append(da, fallback_time_ns=0)
    time = buffer.history().coords["time"]
    assert time.dtype == sc.DType.datetime64
    assert time.values[0].astype("int64") == 1_700_000_000_000_000_000


def test_latest_is_a_copy():
    buffer = TemporalBuffer(memory_cap_bytes=1 << 20)
    buffer.append(frame(1.0, 1), fallback_time_ns=0)
    latest = buffer.latest()
    latest.values[0] = 99.0
    assert buffer.latest().values[0] == 1.0


def test_single_value_buffer_keeps_only_latest():
    buffer = SingleValueBuffer()
    image = sc.DataArray(sc.zeros(dims=["y", "x"], shape=[4, 5]))
    buffer.append(image, fallback_time_ns=0)
    buffer.append(image + 1.0, fallback_time_ns=0)
    assert buffer.latest().values.sum() == 20.0
    assert buffer.history() is None
    assert buffer.nbytes == 20 * 8


@pytest.mark.parametrize(
    ("da", "expected"),
    [
        (sc.DataArray(sc.scalar(1.0)), True),
        (frame(1.0, 1), True),
        (sc.DataArray(sc.zeros(dims=["y", "x"], shape=[2, 2])), False),
        (sc.DataArray(sc.zeros(dims=["time"], shape=[3])), False),
    ],
)
def test_buffer_kind_follows_the_shape_of_the_output(da, expected):
    assert keeps_history(da) is expected
    assert buffer_for(da, 1024).is_time_series is expected


def test_cap_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        TemporalBuffer(memory_cap_bytes=0)
