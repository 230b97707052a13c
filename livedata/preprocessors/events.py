"""Accumulators of raw events: zero-copy chunks and NeXus NXevent_data (B3, B4)."""

from __future__ import annotations

import numpy as np
import scipp as sc

from livedata.core.events import DetectorEvents, MonitorEvents
from livedata.core.timestamp import Timestamp

Events = DetectorEvents | MonitorEvents


def _require_events(data: object) -> Events:
    if not isinstance(data, DetectorEvents | MonitorEvents):
        raise TypeError(
            f"expected DetectorEvents or MonitorEvents, got {type(data).__name__}"
        )
    if isinstance(data, DetectorEvents) and len(data.pixel_id) != len(data):
        raise ValueError(
            f"{len(data.pixel_id)} pixel ids but {len(data)} times of arrival"
        )
    return data


class EventChunks:
    """Window semantics: the event chunks added since the last ``get``.

    Keeps references to the arrays as decoded (read-only views of Kafka buffers)
    and never concatenates or copies them, so the histogram kernel is the first
    and only code that touches each event.
    """

    def __init__(self) -> None:
        self._chunks: list[Events] = []
        self._event_count = 0

    def add(self, timestamp: Timestamp, data: Events) -> None:
        chunk = _require_events(data)
        self._chunks.append(chunk)
        self._event_count += len(chunk)

    def get(self) -> tuple[Events, ...]:
        if not self._chunks:
            raise ValueError("EventChunks: no events since the last get")
        chunks = tuple(self._chunks)
        self.clear()
        return chunks

    def clear(self) -> None:
        self._chunks = []
        self._event_count = 0

    @property
    def is_empty(self) -> bool:
        return not self._chunks

    @property
    def event_count(self) -> int:
        """Events held now (since the last ``get``)."""
        return self._event_count


class ToNXeventData:
    """Window semantics: one pulse per message, returned in the NXevent_data layout.

    The result looks exactly like scippnexus's loading of an ``NXevent_data`` group
    (dim ``event_time_zero`` with a datetime64 coordinate; binned events in dim
    ``event`` with ``event_time_offset`` in ns and, for detectors, ``event_id``;
    float32 weights of one count), so essreduce workflows written for files take
    live data unchanged. Each array is concatenated once per ``get``.
    """

    def __init__(self) -> None:
        self._pulse_times: list[int] = []
        self._chunks: list[Events] = []

    def add(self, timestamp: Timestamp, data: Events) -> None:
        chunk = _require_events(data)
        if self._chunks and type(chunk) is not type(self._chunks[0]):
            raise TypeError("ToNXeventData: detector and monitor events mixed")
        self._pulse_times.append(timestamp.ns)
        self._chunks.append(chunk)

    def get(self) -> sc.DataArray:
        if not self._chunks:
            raise ValueError("ToNXeventData: no events since the last get")
        chunks, pulse_times = self._chunks, self._pulse_times
        self.clear()
        sizes = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
        begin = np.zeros(len(chunks), dtype=np.int64)
        np.cumsum(sizes[:-1], out=begin[1:])
        n_events = int(sizes.sum())
        coords = {
            "event_time_offset": sc.array(
                dims=["event"],
                values=np.concatenate([c.time_of_arrival for c in chunks]),
                unit="ns",
            )
        }
        if isinstance(chunks[0], DetectorEvents):
            coords["event_id"] = sc.array(
                dims=["event"],
                values=np.concatenate([c.pixel_id for c in chunks]),
                unit=None,
            )
        events = sc.DataArray(
            sc.ones(sizes={"event": n_events}, unit="counts", dtype="float32"),
            coords=coords,
        )
        binned = sc.bins(
            begin=sc.array(dims=["event_time_zero"], values=begin, unit=None),
            end=sc.array(dims=["event_time_zero"], values=begin + sizes, unit=None),
            dim="event",
            data=events,
        )
        event_time_zero = sc.array(
            dims=["event_time_zero"],
            values=np.array(pulse_times, dtype="datetime64[ns]"),
            unit="ns",
        )
        return sc.DataArray(binned, coords={"event_time_zero": event_time_zero})

    def clear(self) -> None:
        self._pulse_times = []
        self._chunks = []

    @property
    def is_empty(self) -> bool:
        return not self._chunks
