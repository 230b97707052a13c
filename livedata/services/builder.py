"""Builds one service's processor: what it reads, how it preprocesses, what it runs.

Each service owns a namespace of workflows (B9) and chooses the accumulators its
workflows consume: detector views take zero-copy event chunks, sciline reductions
take NXevent_data, the timeseries service passes logs through at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..core.accumulator import Accumulator
from ..core.batching import MessageBatcher, NaiveMessageBatcher, SimpleMessageBatcher
from ..core.heartbeat import ServiceInfo, StreamStats
from ..core.job_manager import JobManager
from ..core.message import MessageSink, MessageSource
from ..core.metrics import Counters
from ..core.processor import OrchestratingProcessor
from ..core.stream import StreamId, StreamKind
from ..core.timestamp import Duration, Timestamp
from ..geometry import install_nexus_geometry
from ..instruments.instrument import Instrument
from ..kafka.stream_mapping import StreamMapping
from ..preprocessors import (
    Cumulative,
    EventChunks,
    LatestValue,
    StreamPreprocessorFactory,
    ToNXeventData,
)

Maker = Callable[[StreamId], Accumulator]


@dataclass(frozen=True)
class ServiceKind:
    """What distinguishes one processing service from another."""

    name: str
    makers: Mapping[StreamKind, Maker]
    reads_logs: bool
    reads_roi: bool
    naive_batching: bool = False

    def topics(self, mapping: StreamMapping) -> list[str]:
        """Every topic this service subscribes to."""
        topics = {mapping.livedata_topic(StreamKind.LIVEDATA_COMMANDS)}
        kinds = set(self.makers)
        if StreamKind.DETECTOR_EVENTS in kinds:
            topics |= mapping.detector_topics
        if StreamKind.AREA_DETECTOR in kinds:
            topics |= mapping.area_detector_topics
        if kinds & {StreamKind.MONITOR_EVENTS, StreamKind.MONITOR_COUNTS}:
            topics |= mapping.monitor_topics
        if self.reads_logs:
            topics |= mapping.log_topics
        if self.reads_roi:
            topics.add(mapping.livedata_topic(StreamKind.LIVEDATA_ROI))
        return sorted(topics)


SERVICES: dict[str, ServiceKind] = {
    "monitor_data": ServiceKind(
        "monitor_data",
        {
            StreamKind.MONITOR_EVENTS: lambda s: EventChunks(),
            StreamKind.MONITOR_COUNTS: lambda s: Cumulative(clear_on_get=True),
        },
        reads_logs=False,
        reads_roi=False,
    ),
    "detector_data": ServiceKind(
        "detector_data",
        {
            StreamKind.DETECTOR_EVENTS: lambda s: EventChunks(),
            StreamKind.AREA_DETECTOR: lambda s: Cumulative(clear_on_get=True),
            StreamKind.LIVEDATA_ROI: lambda s: LatestValue(),
        },
        reads_logs=False,
        reads_roi=True,
    ),
    "data_reduction": ServiceKind(
        "data_reduction",
        {
            StreamKind.DETECTOR_EVENTS: lambda s: ToNXeventData(),
            StreamKind.MONITOR_EVENTS: lambda s: ToNXeventData(),
            StreamKind.MONITOR_COUNTS: lambda s: Cumulative(clear_on_get=True),
        },
        reads_logs=True,
        reads_roi=False,
    ),
    "timeseries": ServiceKind(
        "timeseries", {}, reads_logs=True, reads_roi=False, naive_batching=True
    ),
}


class UnknownService(ValueError):
    pass


def service_kind(name: str) -> ServiceKind:
    try:
        return SERVICES[name]
    except KeyError:
        raise UnknownService(
            f"unknown service {name!r}; choose one of {', '.join(SERVICES)}"
        ) from None


def build_processor(
    instrument: Instrument,
    service: str,
    source: MessageSource,
    sink: MessageSink,
    *,
    counters: Counters | None = None,
    worker_id: str | None = None,
    batch_length: Duration = Duration.from_seconds(1),
    wall_clock: Callable[[], Timestamp] = Timestamp.now,
    stream_stats: StreamStats | None = None,
    commands_since: Timestamp | None = None,
) -> OrchestratingProcessor:
    """The processor of one service of one instrument, factories loaded (phase 2).

    ``commands_since``: commands sent before it are ignored and counted (see
    :class:`OrchestratingProcessor`).
    """
    kind = service_kind(service)
    counters = counters if counters is not None else Counters()
    install_nexus_geometry()  # before the factories ask for their geometry
    instrument.load_factories()
    factory = StreamPreprocessorFactory(
        kind.makers,
        instrument.log_attributes if kind.reads_logs else {},
        counters=counters,
    )
    batcher: MessageBatcher = (
        NaiveMessageBatcher(counters=counters, wall_clock=wall_clock)
        if kind.naive_batching
        else SimpleMessageBatcher(
            batch_length, counters=counters, wall_clock=wall_clock
        )
    )
    job_manager = JobManager(
        instrument.name,
        service,
        instrument.workflows,
        counters,
        answers_unknown=service == instrument.unknown_workflow_service,
    )
    info = ServiceInfo(
        instrument=instrument.name,
        service_name=service,
        worker_id=worker_id or str(uuid.uuid4()),
        batch_interval_s=batch_length.to_seconds(),
    )
    return OrchestratingProcessor(
        source=source,
        sink=sink,
        preprocessor_factory=factory,
        job_manager=job_manager,
        batcher=batcher,
        service_info=info,
        counters=counters,
        wall_clock=wall_clock,
        stream_stats=stream_stats,
        commands_since=commands_since,
    )
