"""The adapter chain: route by topic (then by schema inside adapters) (C1).

Decoding never raises out of the chain: an error is counted per topic (and a
failed input check also per reason, ``invalid_input:<reason>``) and logged once
per topic and error type or reason, then every 1000th time, so a broken
producer cannot flood the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from ..core.message import Message
from ..core.metrics import Counters
from ..core.stream import StreamKind
from .adapters import (
    Adapter,
    AreaDetectorAdapter,
    CommandAdapter,
    Da00Adapter,
    DetectorEventsAdapter,
    LogAdapter,
    MonitorAdapter,
    ResponseAdapter,
    StatusAdapter,
    _SourceLookup,
)
from .checks import InvalidInput
from .raw import RawMessage
from .stream_mapping import StreamMapping, livedata_topic

logger = logging.getLogger(__name__)


class RouteByTopic:
    """Dispatches records to the adapter of their topic; counts what it cannot map."""

    def __init__(self, routes: Mapping[str, Adapter], counters: Counters) -> None:
        self._routes = dict(routes)
        self._counters = counters
        self._error_counts: dict[tuple[str, str], int] = {}

    @property
    def topics(self) -> list[str]:
        return sorted(self._routes)

    def adapt(self, raw: RawMessage) -> Message[Any] | None:
        adapter = self._routes.get(raw.topic)
        if adapter is None:
            self._counters.increment("unknown_topic")
            return None
        try:
            return adapter.adapt(raw)
        except Exception as err:
            self._counters.increment(f"adapt_errors:{raw.topic}")
            reason = getattr(err, "reason", None)
            if isinstance(err, InvalidInput) and reason:
                self._counters.increment(f"invalid_input:{reason}")
            key = (raw.topic, reason or type(err).__name__)
            seen = self._error_counts.get(key, 0) + 1
            self._error_counts[key] = seen
            if seen == 1 or seen % 1000 == 0:
                first_line = str(err).splitlines()[0] if str(err) else ""
                logger.warning(
                    "cannot decode a message on %s (%d so far): %s: %s",
                    raw.topic,
                    seen,
                    type(err).__name__,
                    first_line,
                )
            return None

    def adapt_many(self, raws: Iterable[RawMessage]) -> list[Message[Any]]:
        out = []
        for raw in raws:
            msg = self.adapt(raw)
            if msg is not None:
                out.append(msg)
        return out


def _lookup(table: Mapping, counters: Counters) -> _SourceLookup:
    return _SourceLookup(
        {(k.topic, k.source_name): v for k, v in table.items()}, counters
    )


def build_service_adapter(
    mapping: StreamMapping,
    counters: Counters,
    *,
    topics: Iterable[str] | None = None,
    merge_detectors: str | None = None,
) -> RouteByTopic:
    """Raw data topics of an instrument plus commands and ROI requests.

    ``topics`` restricts the chain to what a service subscribes to.
    ``merge_detectors`` reads every detector as that one stream; the mapping's
    own ``merged_detectors`` merge the streams it names (F2).
    """
    routes: dict[str, Adapter] = {}
    detector_names = {
        key: mapping.detector_stream(name) for key, name in mapping.detectors.items()
    }
    detectors = DetectorEventsAdapter(
        _lookup(detector_names, counters), merge_detectors
    )
    monitors = MonitorAdapter(_lookup(mapping.monitors, counters))
    logs = LogAdapter(_lookup(mapping.logs, counters))
    area = AreaDetectorAdapter(_lookup(mapping.area_detectors, counters))
    for topic in mapping.detector_topics:
        routes[topic] = detectors
    for topic in mapping.monitor_topics:
        routes[topic] = monitors
    for topic in mapping.log_topics:
        routes[topic] = logs
    for topic in mapping.area_detector_topics:
        routes[topic] = area
    routes[mapping.livedata_topic(StreamKind.LIVEDATA_COMMANDS)] = CommandAdapter()
    routes[mapping.livedata_topic(StreamKind.LIVEDATA_ROI)] = Da00Adapter(
        StreamKind.LIVEDATA_ROI
    )
    if topics is not None:
        wanted = set(topics)
        routes = {t: a for t, a in routes.items() if t in wanted}
    return RouteByTopic(routes, counters)


def build_client_adapter(instrument: str, counters: Counters) -> RouteByTopic:
    """What clients read: results, heartbeats, acknowledgements and commands."""
    routes: dict[str, Adapter] = {
        livedata_topic(instrument, StreamKind.LIVEDATA_DATA): Da00Adapter(
            StreamKind.LIVEDATA_DATA
        ),
        livedata_topic(instrument, StreamKind.LIVEDATA_STATUS): StatusAdapter(),
        livedata_topic(instrument, StreamKind.LIVEDATA_RESPONSES): ResponseAdapter(),
        livedata_topic(instrument, StreamKind.LIVEDATA_COMMANDS): CommandAdapter(),
    }
    return RouteByTopic(routes, counters)
