"""Kafka coordinates (topic, source name) <-> internal streams (A3, A8).

Pure data, no Kafka client import: instruments' ``streams.py`` build these for
DEV and PROD, and the adapter chain routes with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.stream import StreamId, StreamKind


@dataclass(frozen=True, slots=True)
class InputStreamKey:
    """Where a stream lives on Kafka."""

    topic: str
    source_name: str


LIVEDATA_TOPIC_SUFFIX: Mapping[StreamKind, str] = {
    StreamKind.LIVEDATA_COMMANDS: "livedata_commands",
    StreamKind.LIVEDATA_RESPONSES: "livedata_responses",
    StreamKind.LIVEDATA_DATA: "livedata_data",
    StreamKind.LIVEDATA_ROI: "livedata_roi",
    StreamKind.LIVEDATA_STATUS: "livedata_heartbeat",
    StreamKind.LIVEDATA_NICOS_DATA: "livedata_nicos_data",
}


def livedata_topic(instrument: str, kind: StreamKind) -> str:
    """The topic of one of livedata's own streams, e.g. ``dummy_livedata_data``."""
    return f"{instrument}_{LIVEDATA_TOPIC_SUFFIX[kind]}"


@dataclass(frozen=True)
class StreamMapping:
    """One instrument's raw-data streams on Kafka, mapped to internal stream names.

    Monitor topics may carry ev44 (events) and da00 (histograms); the kind
    (``monitor_events`` or ``monitor_counts``) follows from the schema, so the
    mapping gives only the name. ``merged_detectors`` names detector streams
    that are read as one other stream (BIFROST's 45 triplets are its
    ``unified_detector``, F2): the tables stay the facility's, entry for entry,
    and the adapter merges.
    """

    instrument: str
    detectors: Mapping[InputStreamKey, str] = field(default_factory=dict)
    area_detectors: Mapping[InputStreamKey, str] = field(default_factory=dict)
    monitors: Mapping[InputStreamKey, str] = field(default_factory=dict)
    logs: Mapping[InputStreamKey, str] = field(default_factory=dict)
    merged_detectors: Mapping[str, str] = field(default_factory=dict)

    def detector_stream(self, name: str) -> str:
        """The stream a detector's events are read as (itself, or merged)."""
        return self.merged_detectors.get(name, name)

    def livedata_topic(self, kind: StreamKind) -> str:
        return livedata_topic(self.instrument, kind)

    @property
    def detector_topics(self) -> frozenset[str]:
        return frozenset(k.topic for k in self.detectors)

    @property
    def area_detector_topics(self) -> frozenset[str]:
        return frozenset(k.topic for k in self.area_detectors)

    @property
    def monitor_topics(self) -> frozenset[str]:
        return frozenset(k.topic for k in self.monitors)

    @property
    def log_topics(self) -> frozenset[str]:
        return frozenset(k.topic for k in self.logs)

    @property
    def raw_topics(self) -> frozenset[str]:
        return (
            self.detector_topics
            | self.area_detector_topics
            | self.monitor_topics
            | self.log_topics
        )

    @property
    def livedata_topics(self) -> frozenset[str]:
        return frozenset(self.livedata_topic(kind) for kind in LIVEDATA_TOPIC_SUFFIX)

    def key_for(self, stream: StreamId) -> InputStreamKey | None:
        """The Kafka coordinates of a raw stream (used by the fake producers)."""
        table = {
            StreamKind.DETECTOR_EVENTS: self.detectors,
            StreamKind.AREA_DETECTOR: self.area_detectors,
            StreamKind.MONITOR_EVENTS: self.monitors,
            StreamKind.MONITOR_COUNTS: self.monitors,
            StreamKind.LOG: self.logs,
        }.get(stream.kind, {})
        for key, name in table.items():
            if name == stream.name:
                return key
        return None
