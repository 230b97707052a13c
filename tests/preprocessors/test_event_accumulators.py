"""EventChunks (zero copy) and ToNXeventData (the NXevent_data layout of scippnexus)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import scipp as sc
import scippnexus as snx
from streaming_data_types import deserialise_ev44, serialise_ev44

from livedata.core.events import DetectorEvents, MonitorEvents
from livedata.core.timestamp import PULSE_PERIOD, Timestamp
from livedata.preprocessors import EventChunks, ToNXeventData

PULSE0 = Timestamp.from_seconds(1_700_000_000)


def ev44_events(pixels: list[int], toa: list[int]) -> DetectorEvents:
    """Events decoded from a real ev44 buffer: read-only views into it."""
    buffer = serialise_ev44(
        "panel_0",
        1,
        np.array([PULSE0.ns], dtype=np.int64),
        np.array([0], dtype=np.int32),
        np.array(toa, dtype=np.int32),
        np.array(pixels, dtype=np.int32),
    )
    decoded = deserialise_ev44(buffer)
    return DetectorEvents(
        pixel_id=decoded.pixel_id, time_of_arrival=decoded.time_of_flight
    )


def test_event_chunks_returns_the_chunks_without_copying() -> None:
    first, second = ev44_events([1, 2], [10, 20]), ev44_events([3], [30])
    assert not first.pixel_id.flags.writeable
    chunks = EventChunks()
    chunks.add(PULSE0, first)
    chunks.add(PULSE0 + PULSE_PERIOD, second)
    assert chunks.event_count == 3
    got = chunks.get()
    assert isinstance(got, tuple)
    assert got == (first, second)
    assert np.shares_memory(got[0].pixel_id, first.pixel_id)
    assert np.shares_memory(got[0].time_of_arrival, first.time_of_arrival)
    assert np.shares_memory(got[1].time_of_arrival, second.time_of_arrival)


def test_event_chunks_has_window_semantics() -> None:
    chunks = EventChunks()
    chunks.add(PULSE0, MonitorEvents(np.array([1, 2, 3])))
    assert len(chunks.get()) == 1
    assert chunks.is_empty
    assert chunks.event_count == 0
    with pytest.raises(ValueError, match="no events"):
        chunks.get()
    chunks.add(PULSE0, MonitorEvents(np.array([4])))
    (only,) = chunks.get()
    assert only.time_of_arrival.tolist() == [4]


def test_event_chunks_clear_and_wrong_type() -> None:
    chunks = EventChunks()
    chunks.add(PULSE0, MonitorEvents(np.array([1])))
    chunks.clear()
    assert chunks.is_empty
    with pytest.raises(TypeError):
        chunks.add(PULSE0, np.array([1]))  # type: ignore[arg-type]
    assert chunks.is_empty


def write_nxevent_data(
    path: Path, pulses: list[int], pixels: list[list[int]] | None, toas: list[list[int]]
) -> None:
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        events = entry.create_group("events")
        events.attrs["NX_class"] = "NXevent_data"
        offsets = events.create_dataset(
            "event_time_offset", data=np.concatenate(toas).astype(np.int32)
        )
        offsets.attrs["units"] = "ns"
        zero = events.create_dataset(
            "event_time_zero", data=np.array(pulses, dtype=np.int64)
        )
        zero.attrs["units"] = "ns"
        zero.attrs["start"] = "1970-01-01T00:00:00Z"
        index = np.cumsum([0, *(len(t) for t in toas[:-1])])
        events.create_dataset("event_index", data=index.astype(np.int64))
        if pixels is not None:
            events.create_dataset(
                "event_id", data=np.concatenate(pixels).astype(np.int32)
            )


def load_nxevent_data(path: Path) -> sc.DataArray:
    with snx.File(path) as f:
        return f["entry/events"][()]


PULSES = [PULSE0.ns, (PULSE0 + PULSE_PERIOD).ns, (PULSE0 + PULSE_PERIOD * 2).ns]
PIXELS = [[5, 1, 7], [], [2, 2]]
TOAS = [[100, 2_000, 30_000], [], [71_000_000, 5]]


def test_detector_events_match_scippnexus_nxevent_data(tmp_path: Path) -> None:
    accumulator = ToNXeventData()
    for pulse, pixels, toa in zip(PULSES, PIXELS, TOAS, strict=True):
        accumulator.add(
            Timestamp(pulse),
            DetectorEvents(np.array(pixels, np.int32), np.array(toa, np.int32)),
        )
    write_nxevent_data(tmp_path / "det.h5", PULSES, PIXELS, TOAS)
    expected = load_nxevent_data(tmp_path / "det.h5")
    got = accumulator.get()
    assert sc.identical(got, expected)
    assert got.bins.size().values.tolist() == [3, 0, 2]


def test_monitor_events_match_scippnexus_nxevent_data(tmp_path: Path) -> None:
    accumulator = ToNXeventData()
    for pulse, toa in zip(PULSES, TOAS, strict=True):
        accumulator.add(Timestamp(pulse), MonitorEvents(np.array(toa, np.int32)))
    write_nxevent_data(tmp_path / "mon.h5", PULSES, None, TOAS)
    got = accumulator.get()
    assert sc.identical(got, load_nxevent_data(tmp_path / "mon.h5"))
    assert "event_id" not in got.bins.coords


def test_nxevent_data_can_be_histogrammed_like_file_data() -> None:
    accumulator = ToNXeventData()
    accumulator.add(PULSE0, ev44_events([1, 2, 2], [10, 20, 30]))
    got = accumulator.get()
    counts = got.bins.concat().group("event_id").hist()
    assert counts.values.tolist() == [1.0, 2.0]
    assert got.coords["event_time_zero"].values[0] == np.datetime64(PULSE0.ns, "ns")


def test_nxevent_data_has_window_semantics_and_rejects_mixing() -> None:
    accumulator = ToNXeventData()
    with pytest.raises(ValueError):
        accumulator.get()
    accumulator.add(PULSE0, MonitorEvents(np.array([1], np.int32)))
    with pytest.raises(TypeError):
        accumulator.add(PULSE0, DetectorEvents(np.array([1]), np.array([1])))
    assert accumulator.get().sizes == {"event_time_zero": 1}
    assert accumulator.is_empty
    accumulator.add(PULSE0, MonitorEvents(np.array([1, 2], np.int32)))
    accumulator.clear()
    assert accumulator.is_empty
