"""Adapters: one Kafka record -> one core ``Message`` (C1, A9).

Each adapter decodes one schema with ``streaming_data_types`` and returns ``None``
for records it does not map (counted by the caller). Event arrays stay the
zero-copy views that ``deserialise_ev44`` returns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

# streaming_data_types is imported where a schema is decoded: importing it costs
# ~0.2 s, which a CLI command that only reads JSON answers should not pay.
from ..core.commands import CommandAcknowledgement, NullMessageId, read_command
from ..core.events import DetectorEvents, LogValue, MonitorEvents
from ..core.message import Message
from ..core.metrics import Counters
from ..core.status import parse_status
from ..core.stream import (
    COMMANDS_STREAM,
    RESPONSES_STREAM,
    STATUS_STREAM,
    StreamId,
    StreamKind,
)
from ..core.timestamp import Timestamp
from .checks import InvalidInput, check_da00, check_events, check_roi_size
from .raw import RawMessage, schema_id


class Adapter(Protocol):
    def adapt(self, raw: RawMessage) -> Message[Any] | None: ...


def _kafka_time(raw: RawMessage) -> Timestamp:
    return Timestamp(raw.timestamp_ms * 1_000_000)


def _require_schema(raw: RawMessage, expected: str) -> None:
    found = schema_id(raw.value)
    if found != expected:
        raise ValueError(f"expected schema {expected}, got {found or 'no flatbuffer'}")


class _SourceLookup:
    """(topic, source) -> stream name, with unknown sources counted."""

    def __init__(self, names: Mapping[tuple[str, str], str], counters: Counters):
        self._names = names
        self._counters = counters

    def name(self, topic: str, source: str) -> str | None:
        name = self._names.get((topic, source))
        if name is None:
            self._counters.increment(f"unknown_source:{topic}")
        return name


class DetectorEventsAdapter:
    """ev44 on a detector topic -> DetectorEvents; optionally merge all banks (F2)."""

    def __init__(self, lookup: _SourceLookup, merge_into: str | None = None) -> None:
        self._lookup = lookup
        self._merge_into = merge_into

    def adapt(self, raw: RawMessage) -> Message[DetectorEvents] | None:
        _require_schema(raw, "ev44")
        from streaming_data_types import eventdata_ev44

        ev = eventdata_ev44.deserialise_ev44(raw.value)
        name = self._lookup.name(raw.topic, ev.source_name)
        if name is None:
            return None
        check_events(ev.pixel_id, ev.time_of_flight, pixels_optional=False)
        if self._merge_into is not None:
            name = self._merge_into
        time = (
            Timestamp(int(ev.reference_time[-1]))
            if len(ev.reference_time)
            else _kafka_time(raw)
        )
        events = DetectorEvents(pixel_id=ev.pixel_id, time_of_arrival=ev.time_of_flight)
        return Message(time, StreamId(StreamKind.DETECTOR_EVENTS, name), events)


class MonitorAdapter:
    """A monitor topic carries ev44 events or da00 histograms: route by schema."""

    def __init__(self, lookup: _SourceLookup) -> None:
        self._lookup = lookup

    def adapt(self, raw: RawMessage) -> Message[Any] | None:
        schema = schema_id(raw.value)
        if schema == "ev44":
            from streaming_data_types import eventdata_ev44

            ev = eventdata_ev44.deserialise_ev44(raw.value)
            name = self._lookup.name(raw.topic, ev.source_name)
            if name is None:
                return None
            check_events(ev.pixel_id, ev.time_of_flight, pixels_optional=True)
            time = (
                Timestamp(int(ev.reference_time[-1]))
                if len(ev.reference_time)
                else _kafka_time(raw)
            )
            stream = StreamId(StreamKind.MONITOR_EVENTS, name)
            pixels = (
                ev.pixel_id if ev.pixel_id is not None and len(ev.pixel_id) else None
            )
            return Message(time, stream, MonitorEvents(ev.time_of_flight, pixels))
        if schema == "da00":
            from streaming_data_types import dataarray_da00

            from .da00_compat import da00_to_scipp

            msg = dataarray_da00.deserialise_da00(raw.value)
            name = self._lookup.name(raw.topic, msg.source_name)
            if name is None:
                return None
            check_da00(msg.data)
            stream = StreamId(StreamKind.MONITOR_COUNTS, name)
            return Message(Timestamp(msg.timestamp_ns), stream, da00_to_scipp(msg.data))
        raise ValueError(f"monitor topic carries ev44 or da00, got {schema or 'none'}")


class LogAdapter:
    """f144 -> LogValue, timed by ``timestamp_unix_ns``."""

    def __init__(self, lookup: _SourceLookup) -> None:
        self._lookup = lookup

    def adapt(self, raw: RawMessage) -> Message[LogValue] | None:
        _require_schema(raw, "f144")
        from streaming_data_types import logdata_f144

        log = logdata_f144.deserialise_f144(raw.value)
        name = self._lookup.name(raw.topic, log.source_name)
        if name is None:
            return None
        value = LogValue(timestamp_ns=int(log.timestamp_unix_ns), value=log.value)
        return Message(
            Timestamp(value.timestamp_ns), StreamId(StreamKind.LOG, name), value
        )


class AreaDetectorAdapter:
    """ad00 frames -> 2-D DataArray."""

    def __init__(self, lookup: _SourceLookup) -> None:
        self._lookup = lookup

    def adapt(self, raw: RawMessage) -> Message[Any] | None:
        from .ad00_compat import ad00_to_scipp

        _require_schema(raw, "ad00")
        from streaming_data_types import area_detector_ad00

        frame = area_detector_ad00.deserialise_ad00(raw.value)
        name = self._lookup.name(raw.topic, frame.source_name)
        if name is None:
            return None
        stream = StreamId(StreamKind.AREA_DETECTOR, name)
        return Message(Timestamp(int(frame.timestamp_ns)), stream, ad00_to_scipp(frame))


class Da00Adapter:
    """da00 on livedata's own topics (results, ROI requests) -> DataArray."""

    def __init__(self, kind: StreamKind) -> None:
        self._kind = kind

    def adapt(self, raw: RawMessage) -> Message[Any]:
        from .da00_compat import da00_to_scipp

        _require_schema(raw, "da00")
        from streaming_data_types import dataarray_da00

        msg = dataarray_da00.deserialise_da00(raw.value)
        if self._kind is StreamKind.LIVEDATA_ROI:
            check_roi_size(msg.data)
        check_da00(msg.data)
        stream = StreamId(self._kind, msg.source_name)
        return Message(Timestamp(msg.timestamp_ns), stream, da00_to_scipp(msg.data))


class CommandAdapter:
    """JSON commands; timed by the Kafka message time.

    A command with ``message_id: null`` is refused as the facility's services
    refuse it; having no id to answer to, it is dropped and counted
    (``invalid_input:command_message_id_null``) instead of answered.
    """

    def adapt(self, raw: RawMessage) -> Message[Any]:
        try:
            command = read_command(raw.value)
        except NullMessageId as error:
            raise InvalidInput(NullMessageId.reason, str(error)) from None
        return Message(_kafka_time(raw), COMMANDS_STREAM, command)


class ResponseAdapter:
    def adapt(self, raw: RawMessage) -> Message[CommandAcknowledgement]:
        ack = CommandAcknowledgement.model_validate_json(raw.value)
        return Message(_kafka_time(raw), RESPONSES_STREAM, ack)


class StatusAdapter:
    """x5f2 heartbeats -> ServiceStatus / JobStatus."""

    def adapt(self, raw: RawMessage) -> Message[Any]:
        _require_schema(raw, "x5f2")
        from streaming_data_types import status_x5f2

        status = status_x5f2.deserialise_x5f2(raw.value)
        document = json.loads(status.status_json)
        return Message(_kafka_time(raw), STATUS_STREAM, parse_status(document))
