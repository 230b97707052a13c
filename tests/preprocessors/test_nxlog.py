"""ToNXlog: bounded, sorted log history in the NXlog layout of scippnexus."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import scipp as sc
import scippnexus as snx

from livedata.core.events import LogValue
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.metrics import Counters
from livedata.core.timestamp import NS_PER_S, Duration, Timestamp
from livedata.preprocessors import ToNXlog

T0 = 1_700_000_000 * NS_PER_S
KELVIN = LogDataAttributes(unit="K", dtype="float64", value_min=0.0, value_max=400.0)


def add(log: ToNXlog, seconds: float, value: float | np.ndarray) -> None:
    ns = T0 + round(seconds * NS_PER_S)
    log.add(Timestamp(ns), LogValue(timestamp_ns=ns, value=value))


def times_s(da: sc.DataArray) -> list[float]:
    ns = da.coords["time"].values.astype(np.int64)
    return [(t - T0) / NS_PER_S for t in ns]


def test_matches_the_nxlog_layout_of_scippnexus(tmp_path: Path) -> None:
    log = ToNXlog(KELVIN)
    add(log, 0, 1.5)
    add(log, 0.5, 2.5)
    path = tmp_path / "log.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("log")
        group.attrs["NX_class"] = "NXlog"
        time = group.create_dataset("time", data=[T0, T0 + NS_PER_S // 2])
        time.attrs["units"] = "ns"
        time.attrs["start"] = "1970-01-01T00:00:00Z"
        value = group.create_dataset("value", data=[1.5, 2.5])
        value.attrs["units"] = "K"
    with snx.File(path) as f:
        expected = f["log"][()]
    assert sc.identical(log.get(), expected)


def test_uses_the_registry_unit_and_dtype() -> None:
    log = ToNXlog(LogDataAttributes(unit="mm", dtype="int32"))
    add(log, 0, 3)
    got = log.get()
    assert got.unit == "mm"
    assert got.dtype == "int32"
    assert got.coords["time"].dtype == sc.DType.datetime64
    assert got.coords["time"].unit == "ns"


def test_is_cumulative_and_returns_a_copy() -> None:
    log = ToNXlog(KELVIN)
    add(log, 0, 1.0)
    first = log.get()
    add(log, 1, 2.0)
    second = log.get()
    assert first.values.tolist() == [1.0]
    assert second.values.tolist() == [1.0, 2.0]
    assert not np.shares_memory(second.values, log._values)
    log.clear()
    assert log.is_empty
    with pytest.raises(ValueError):
        log.get()


def test_capacity_doubles_and_stays_bounded_by_max_entries() -> None:
    log = ToNXlog(KELVIN, max_entries=100, initial_capacity=4)
    for i in range(5):
        add(log, i, float(i))
    assert log.capacity == 8
    for i in range(5, 1000):
        add(log, i, float(i % 400))
    assert len(log) == 100
    assert log.capacity <= 256
    got = log.get()
    assert times_s(got) == [float(i) for i in range(900, 1000)]


def test_entries_older_than_max_age_are_dropped() -> None:
    log = ToNXlog(KELVIN, max_age=Duration.from_seconds(10))
    for i in range(0, 30, 5):
        add(log, i, 1.0)
    assert times_s(log.get()) == [15.0, 20.0, 25.0]


def test_late_entries_are_inserted_in_time_order() -> None:
    log = ToNXlog(KELVIN)
    add(log, 0, 0.0)
    add(log, 2, 2.0)
    add(log, 1, 1.0)
    add(log, 3, 3.0)
    got = log.get()
    assert times_s(got) == [0.0, 1.0, 2.0, 3.0]
    assert got.values.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_out_of_range_values_are_kept_and_counted() -> None:
    counters = Counters()
    log = ToNXlog(KELVIN, counters=counters)
    add(log, 0, -1.0)
    add(log, 1, 200.0)
    add(log, 2, 500.0)
    assert log.get().values.tolist() == [-1.0, 200.0, 500.0]
    assert counters.get("log_values_out_of_range") == 2


def test_array_values_get_an_extra_dimension() -> None:
    counters = Counters()
    log = ToNXlog(KELVIN, counters=counters)
    add(log, 0, np.array([1.0, 2.0]))
    add(log, 1, np.array([3.0, 4.0]))
    got = log.get()
    assert got.dims == ("time", "dim_1")
    assert got.values.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    add(log, 2, 5.0)  # shape change restarts the history
    assert log.get().values.tolist() == [5.0]
    assert counters.get("log_shape_changes") == 1


def test_rejects_values_that_are_not_log_values() -> None:
    log = ToNXlog(KELVIN)
    with pytest.raises(TypeError):
        log.add(Timestamp(T0), 1.0)  # type: ignore[arg-type]
    assert log.is_empty
