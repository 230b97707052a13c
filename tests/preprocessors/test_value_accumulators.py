"""Cumulative (window and cumulative sums with restarts) and LatestValue."""

from __future__ import annotations

import numpy as np
import pytest
import scipp as sc

from livedata.core.metrics import Counters
from livedata.core.timestamp import Timestamp
from livedata.preprocessors import Cumulative, LatestValue

T = Timestamp.from_seconds(1_700_000_000)


def histogram(counts: list[float], edges: list[float] | None = None) -> sc.DataArray:
    edges = edges if edges is not None else list(range(len(counts) + 1))
    return sc.DataArray(
        sc.array(dims=["toa"], values=counts, unit="counts"),
        coords={"toa": sc.array(dims=["toa"], values=edges, unit="ms")},
    )


def test_cumulative_sums_everything_until_cleared() -> None:
    acc = Cumulative()
    acc.add(T, histogram([1, 2]))
    acc.add(T, histogram([10, 20]))
    assert acc.get().values.tolist() == [11, 22]
    acc.add(T, histogram([1, 1]))
    assert acc.get().values.tolist() == [12, 23]
    assert acc.get().values.tolist() == [12, 23]  # get does not clear
    acc.clear()
    assert acc.is_empty
    with pytest.raises(ValueError):
        acc.get()


def test_cumulative_with_clear_on_get_has_window_semantics() -> None:
    acc = Cumulative(clear_on_get=True)
    acc.add(T, histogram([1, 2]))
    acc.add(T, histogram([1, 2]))
    assert acc.get().values.tolist() == [2, 4]
    assert acc.is_empty
    acc.add(T, histogram([5, 5]))
    assert acc.get().values.tolist() == [5, 5]


def test_cumulative_never_mutates_inputs_or_returned_values() -> None:
    first = histogram([1, 2])
    acc = Cumulative()
    acc.add(T, first)
    returned = acc.get()
    acc.add(T, histogram([10, 10]))
    assert first.values.tolist() == [1, 2]
    assert returned.values.tolist() == [1, 2]
    assert acc.get().values.tolist() == [11, 12]


def test_cumulative_adds_in_place_between_reads() -> None:
    acc = Cumulative(clear_on_get=True)
    acc.add(T, histogram([1, 2]))
    acc.add(T, histogram([1, 2]))
    internal = acc._sum
    acc.add(T, histogram([1, 2]))
    got = acc.get()
    assert got is internal  # no copy in add nor get
    assert got.values.tolist() == [3, 6]


def test_cumulative_restarts_when_the_layout_changes() -> None:
    counters = Counters()
    acc = Cumulative(counters=counters)
    acc.add(T, histogram([1, 2]))
    acc.add(T, histogram([5, 5], edges=[0, 2, 4]))  # new bin edges
    assert acc.get().values.tolist() == [5, 5]
    acc.add(T, histogram([1, 1, 1]))  # new shape
    assert acc.get().values.tolist() == [1, 1, 1]
    assert counters.get("cumulative_restarts") == 2
    acc.add(T, histogram([1, 1, 1]))
    assert counters.get("cumulative_restarts") == 2


def test_cumulative_sums_area_detector_frames_with_variances() -> None:
    frame = sc.DataArray(
        sc.array(
            dims=["y", "x"],
            values=np.ones((2, 3)),
            variances=np.ones((2, 3)),
            unit="counts",
        )
    )
    acc = Cumulative()
    acc.add(T, frame)
    acc.add(T, frame)
    got = acc.get()
    assert np.array_equal(got.values, 2 * np.ones((2, 3)))
    assert np.array_equal(got.variances, 2 * np.ones((2, 3)))


def test_cumulative_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        Cumulative().add(T, np.ones(3))  # type: ignore[arg-type]


def test_latest_value_keeps_only_the_latest_and_does_not_clear_on_get() -> None:
    latest = LatestValue()
    assert latest.is_empty
    with pytest.raises(ValueError):
        latest.get()
    latest.add(T, "first")
    latest.add(T, "second")
    assert latest.get() == "second"
    assert latest.get() == "second"
    assert not latest.is_empty
    latest.clear()
    assert latest.is_empty


def test_latest_value_keeps_a_falsy_value() -> None:
    latest = LatestValue()
    latest.add(T, None)
    assert not latest.is_empty
    assert latest.get() is None
