"""Stream identity inside livedata (A3); livedata.kafka maps topics onto it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StreamKind(StrEnum):
    """What kind of data a stream carries; values are the wire names of docs/wire.md."""

    UNKNOWN = "unknown"
    MONITOR_COUNTS = "monitor_counts"
    MONITOR_EVENTS = "monitor_events"
    DETECTOR_EVENTS = "detector_events"
    AREA_DETECTOR = "area_detector"
    LOG = "log"
    DEVICE = "device"
    LIVEDATA_COMMANDS = "livedata_commands"
    LIVEDATA_RESPONSES = "livedata_responses"
    LIVEDATA_DATA = "livedata_data"
    LIVEDATA_NICOS_DATA = "livedata_nicos_data"
    LIVEDATA_ROI = "livedata_roi"
    LIVEDATA_STATUS = "livedata_status"
    RUN_CONTROL = "run_control"


@dataclass(frozen=True, slots=True)
class StreamId:
    """A stream: its kind and the name of its source (a detector bank, a PV, ...)."""

    kind: StreamKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.name}"


COMMANDS_STREAM = StreamId(StreamKind.LIVEDATA_COMMANDS, "")
RESPONSES_STREAM = StreamId(StreamKind.LIVEDATA_RESPONSES, "")
STATUS_STREAM = StreamId(StreamKind.LIVEDATA_STATUS, "")
