"""The processor's handling of streams: context apart from the data clock (ROIs),
stream identity beyond the name, workflow drop counts, and source health."""

from typing import Any

import pytest
import scipp as sc

from livedata.core.batching import SimpleMessageBatcher
from livedata.core.commands import WorkflowConfig
from livedata.core.heartbeat import ServiceInfo
from livedata.core.identifiers import JobId
from livedata.core.in_memory import InMemorySink, InMemorySource
from livedata.core.job_builder import roi_stream_name
from livedata.core.job_manager import JobManager
from livedata.core.message import Message, SourceUnhealthy
from livedata.core.metrics import Counters
from livedata.core.processor import OrchestratingProcessor
from livedata.core.service import EXIT_ERROR, Service
from livedata.core.status import ServiceState, ServiceStatus
from livedata.core.stream import COMMANDS_STREAM, StreamId, StreamKind
from livedata.core.timestamp import Duration, Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.core.workflow_spec import WorkflowRegistry, WorkflowSpec
from livedata.preprocessors import LatestValue
from tests.core.processor_fakes import T0, FakeClock, S, SumAccumulator


class Factory:
    def make_preprocessor(self, stream: StreamId):
        if stream.kind is StreamKind.LIVEDATA_ROI:
            return LatestValue()
        if stream.kind in (StreamKind.MONITOR_EVENTS, StreamKind.MONITOR_COUNTS):
            return SumAccumulator()
        return None


class RecordingWorkflow:
    """Counts what reaches it, records each accumulate, drops odd values."""

    def __init__(self, context: WorkflowContext) -> None:
        self.source = context.source_name
        self.calls: list[tuple[int, dict[str, Any]]] = []
        self.total = 0
        self._dropped = 0
        CREATED.append(self)

    def accumulate(self, data, *, start_time, end_time) -> None:
        self.calls.append((start_time.ns, dict(data)))
        value = data.get(self.source, 0)
        if value % 2:
            self._dropped += 1
        self.total += value

    def take_dropped_events(self) -> dict[str, int]:
        dropped, self._dropped = self._dropped, 0
        return {"odd": dropped}

    def finalize(self) -> dict[str, Any]:
        return {"total": sc.DataArray(sc.scalar(float(self.total)))}

    def clear(self) -> None:
        self.total = 0


CREATED: list[RecordingWorkflow] = []

SPEC = WorkflowSpec(
    instrument="dummy",
    name="recorder",
    namespace="monitor_data",
    title="Recorder",
    source_names=("monitor1",),
    outputs={},
    accepts_roi=True,
)


class FailingSource(InMemorySource):
    """An in-memory source that can be made to fail for good, like a consumer
    whose circuit breaker opened."""

    class Health:
        def __init__(self, last_error: str | None) -> None:
            self.last_error = last_error

    def __init__(self) -> None:
        super().__init__()
        self.last_error: str | None = None

    @property
    def healthy(self) -> bool:
        return self.last_error is None

    def health(self) -> "FailingSource.Health":
        return self.Health(self.last_error)


class Rig:
    def __init__(self, source: InMemorySource | None = None) -> None:
        CREATED.clear()
        registry = WorkflowRegistry()
        registry.register(SPEC)
        registry.attach_factory(SPEC.workflow_id, RecordingWorkflow)
        self.counters = Counters()
        self.source = source or InMemorySource()
        self.sink = InMemorySink()
        # The data lag the wall clock by an hour, as when replaying a run.
        self.clock = FakeClock(T0 + 3600 * S)
        self.processor = OrchestratingProcessor(
            source=self.source,
            sink=self.sink,
            preprocessor_factory=Factory(),
            job_manager=JobManager("dummy", "monitor_data", registry, self.counters),
            batcher=SimpleMessageBatcher(
                Duration(S), counters=self.counters, wall_clock=self.clock
            ),
            service_info=ServiceInfo("dummy", "monitor_data", "w1"),
            counters=self.counters,
            wall_clock=self.clock,
        )
        self.config = WorkflowConfig(
            identifier=SPEC.workflow_id, job_id=JobId(source_name="monitor1")
        )
        self.cycle(Message(self.clock(), COMMANDS_STREAM, self.config))
        [self.workflow] = CREATED

    def cycle(self, *messages: Message[Any]) -> list[Message[Any]]:
        self.source.feed(messages)
        self.processor.process()
        return self.sink.take()

    def results(self, out: list[Message[Any]]) -> list[float]:
        return [m.value.value for m in out if m.stream.kind is StreamKind.LIVEDATA_DATA]

    def roi(self, stamp_ns: int, value: str) -> Message[Any]:
        name = roi_stream_name(self.config, "roi_rectangle")
        return Message(
            Timestamp(stamp_ns), StreamId(StreamKind.LIVEDATA_ROI, name), value
        )


def events(offset_ms: int, value: int, kind=StreamKind.MONITOR_EVENTS) -> Message:
    stamp = Timestamp(T0 + offset_ms * 1_000_000)
    return Message(stamp, StreamId(kind, "monitor1"), value)


def test_a_wall_clock_roi_ahead_of_the_data_does_not_become_the_clock():
    rig = Rig()
    rig.cycle(events(100, 2))
    # The plot server stamps its ROI with its wall clock, 100 s ahead of the data.
    assert rig.results(rig.cycle(rig.roi(T0 + 100 * S, "box"))) == []
    # The next second of data closes the first window as if no ROI had come.
    assert rig.results(rig.cycle(events(1100, 4))) == [2.0]
    assert rig.results(rig.cycle(events(2100, 6))) == [6.0]
    assert rig.counters.get("late_messages") == 0
    # The ROI reached the job once, with the first batch that closed after it.
    rois = [
        (start, data["roi_rectangle"])
        for start, data in rig.workflow.calls
        if "roi_rectangle" in data
    ]
    assert rois == [(T0, "box")]


def test_context_without_data_waits_for_the_next_closed_batch():
    rig = Rig()
    rig.cycle(rig.roi(T0 - 3 * S, "old"), rig.roi(T0 + 10 * S, "new"))
    assert rig.workflow.calls == []
    rig.cycle(events(0, 2))
    assert rig.workflow.calls == []  # the window is still open
    rig.cycle(events(1000, 2))
    assert rig.workflow.calls == [(T0, {"roi_rectangle": "new", "monitor1": 2})]
    # Both ROIs and the first event message; the second waits in the open window.
    assert rig.counters.get("messages_processed") == 3
    assert rig.counters.get("late_messages") == 0


def test_streams_of_different_kinds_with_one_name_both_reach_the_job():
    rig = Rig()
    rig.cycle(
        events(100, 2, StreamKind.MONITOR_EVENTS),
        events(200, 40, StreamKind.MONITOR_COUNTS),
    )
    assert rig.results(rig.cycle(events(1100, 0))) == [42.0]
    # One accumulate per kind, so neither value overwrote the other.
    assert [data for _, data in rig.workflow.calls] == [
        {"monitor1": 2},
        {"monitor1": 40},
    ]


def test_events_a_workflow_drops_are_counted_per_source_and_reason():
    rig = Rig()
    rig.cycle(events(100, 3))
    rig.cycle(events(1100, 5))
    rig.cycle(events(2100, 2))
    assert rig.counters.get("dropped_events:monitor1:odd") == 2
    rig.clock.now = rig.clock.now + Duration.from_seconds(2)
    [beat] = [m.value for m in rig.cycle() if isinstance(m.value, ServiceStatus)]
    assert beat.counters["dropped_events:monitor1:odd"] == 2


def test_an_unhealthy_source_raises_after_its_last_messages_are_processed():
    source = FailingSource()
    rig = Rig(source)
    rig.cycle(events(100, 2))
    source.feed([events(1100, 4)])
    source.last_error = "KafkaError: broker transport failure"
    with pytest.raises(SourceUnhealthy, match="broker transport failure"):
        rig.processor.process()
    assert rig.results(rig.sink.take()) == [2.0]


def test_a_service_over_an_unhealthy_source_reports_error_and_exits_1():
    source = FailingSource()
    rig = Rig(source)
    source.last_error = "circuit breaker open after 10 errors"
    service = Service(rig.processor, "monitor_data", poll_interval=0.01)
    assert service.run() == EXIT_ERROR
    [status] = [m.value for m in rig.sink.take() if isinstance(m.value, ServiceStatus)]
    assert status.state is ServiceState.ERROR
    assert "circuit breaker open after 10 errors" in status.error


def test_in_memory_sources_are_always_healthy():
    assert InMemorySource().healthy is True
