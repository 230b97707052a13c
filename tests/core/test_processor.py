"""OrchestratingProcessor end to end with fakes: commands, data, results, heartbeats."""

from typing import Any

import pytest
import scipp as sc

from livedata.core.batching import MessageBatch
from livedata.core.commands import JobAction, JobCommand, Response, WorkflowConfig
from livedata.core.heartbeat import ServiceInfo
from livedata.core.identifiers import JobId, ResultKey
from livedata.core.in_memory import InMemorySink, InMemorySource
from livedata.core.job_manager import JobManager
from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.processor import OrchestratingProcessor
from livedata.core.status import JobState, JobStatus, ServiceState, ServiceStatus
from livedata.core.stream import (
    COMMANDS_STREAM,
    RESPONSES_STREAM,
    STATUS_STREAM,
    StreamId,
    StreamKind,
)
from livedata.core.timestamp import Duration, Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.core.workflow_spec import WorkflowRegistry, WorkflowSpec
from tests.core.processor_fakes import T0, FakeClock, S, SumAccumulator


class FakeBatcher:
    """Closes one batch per call over whatever came in (enough for the processor)."""

    def __init__(self) -> None:
        self.fail = False

    def batch(self, messages: list[Message[Any]]) -> list[MessageBatch]:
        if self.fail:
            raise RuntimeError("batcher broke")
        ordered = sorted(messages)
        start = ordered[0].timestamp
        return [MessageBatch(start, start + Duration(S), ordered)]

    def flush(self) -> list[MessageBatch]:
        return []


class FakeFactory:
    def __init__(self) -> None:
        self.asked: list[StreamId] = []

    def make_preprocessor(self, stream: StreamId):
        self.asked.append(stream)
        if stream.kind in (StreamKind.DETECTOR_EVENTS, StreamKind.LOG):
            return SumAccumulator()
        return None


class CountingWorkflow:
    def __init__(self, context: WorkflowContext) -> None:
        self.source = context.source_name
        self.total = 0

    def accumulate(self, data, *, start_time, end_time) -> None:
        self.total += data.get(self.source, 0)

    def finalize(self) -> dict[str, Any]:
        return {"counts": sc.DataArray(sc.scalar(float(self.total), unit="counts"))}

    def clear(self) -> None:
        self.total = 0


SPEC = WorkflowSpec(
    instrument="dummy",
    name="counts",
    namespace="detector_data",
    title="Counts",
    source_names=("panel_0",),
    outputs={},
)


class Rig:
    def __init__(
        self,
        commands_since: Timestamp | None = None,
        batcher: Any = None,
        workflows: tuple[tuple[WorkflowSpec, Any], ...] = (),
    ) -> None:
        registry = WorkflowRegistry()
        for spec, make in ((SPEC, CountingWorkflow), *workflows):
            registry.register(spec)
            registry.attach_factory(spec.workflow_id, make)
        self.counters = Counters()
        self.source = InMemorySource()
        self.sink = InMemorySink()
        self.clock = FakeClock()
        self.batcher = batcher if batcher is not None else FakeBatcher()
        self.factory = FakeFactory()
        self.jobs = JobManager("dummy", "detector_data", registry, self.counters)
        self.processor = OrchestratingProcessor(
            source=self.source,
            sink=self.sink,
            preprocessor_factory=self.factory,
            job_manager=self.jobs,
            batcher=self.batcher,
            service_info=ServiceInfo("dummy", "detector_data", "w1"),
            counters=self.counters,
            wall_clock=self.clock,
            commands_since=commands_since,
        )

    def cycle(self, *messages: Message[Any]) -> list[Message[Any]]:
        self.source.feed(messages)
        self.processor.process()
        return self.sink.take()


def command(value) -> Message[Any]:
    return Message(Timestamp(T0), COMMANDS_STREAM, value)


def data(name: str, value: Any, offset_ms: int = 0, kind=StreamKind.DETECTOR_EVENTS):
    return Message(Timestamp(T0 + offset_ms * 1_000_000), StreamId(kind, name), value)


def of(messages, stream_kind: StreamKind) -> list[Message[Any]]:
    return [m for m in messages if m.stream.kind is stream_kind]


@pytest.fixture
def rig() -> Rig:
    rig = Rig()
    rig.cycle()  # the first, immediate heartbeat
    return rig


def start_job(rig: Rig) -> WorkflowConfig:
    config = WorkflowConfig(
        identifier=SPEC.workflow_id, job_id=JobId(source_name="panel_0")
    )
    rig.cycle(command(config))
    return config


def test_workflow_config_in_ack_out(rig):
    config = WorkflowConfig(
        identifier=SPEC.workflow_id, job_id=JobId(source_name="panel_0")
    )
    out = rig.cycle(command(config))
    [ack] = out
    assert ack.stream == RESPONSES_STREAM
    assert ack.value.message_id == config.message_id
    assert ack.value.response is Response.ACK
    assert ack.value.device == "panel_0"


def test_bad_config_gets_err_and_foreign_commands_get_silence(rig):
    bad = WorkflowConfig(identifier=SPEC.workflow_id, job_id=JobId(source_name="nope"))
    foreign = WorkflowConfig(
        identifier="dummy/elsewhere/1", job_id=JobId(source_name="panel_0")
    )
    [err] = rig.cycle(command(bad), command(foreign), command("not a command"))
    assert err.value.response is Response.ERR
    assert rig.counters.get("commands_ignored") == 1
    assert rig.counters.get("commands_invalid") == 1


def test_data_becomes_result_messages_keyed_by_result_key(rig):
    config = start_job(rig)
    out = rig.cycle(data("panel_0", 3), data("panel_0", 4, offset_ms=100))
    [result] = of(out, StreamKind.LIVEDATA_DATA)
    key = ResultKey.from_json(result.stream.name)
    assert (key.job_id, key.workflow_id, key.output_name) == (
        config.job_id,
        SPEC.workflow_id,
        "counts",
    )
    assert result.value.value == 7.0
    assert result.timestamp == Timestamp(T0)
    assert result.value.coords["time"].value == T0 + S
    assert rig.counters.get("messages_processed") == 2


def test_unknown_streams_are_dropped_and_counted_asking_the_factory_once(rig):
    start_job(rig)
    monitor = [data("monitor1", 1, kind=StreamKind.MONITOR_EVENTS) for _ in range(3)]
    out = rig.cycle(*monitor)
    assert of(out, StreamKind.LIVEDATA_DATA) == []
    assert rig.counters.get("dropped_unknown_stream:monitor_events") == 3
    assert rig.factory.asked.count(StreamId(StreamKind.MONITOR_EVENTS, "monitor1")) == 1
    assert rig.counters.get("messages_processed") == 0


def test_aux_only_data_produces_no_result(rig):
    start_job(rig)
    out = rig.cycle(data("temperature", 1, kind=StreamKind.LOG))
    assert of(out, StreamKind.LIVEDATA_DATA) == []


def test_bad_values_are_counted_and_do_not_stop_processing(rig):
    start_job(rig)
    out = rig.cycle(data("panel_0", "garbage"), data("panel_0", 2, offset_ms=1))
    [result] = of(out, StreamKind.LIVEDATA_DATA)
    assert result.value.value == 2.0
    assert rig.counters.get("preprocess_errors:detector_events") == 1


def test_stop_command_publishes_the_final_result_in_the_same_cycle(rig):
    config = start_job(rig)
    rig.cycle(data("panel_0", 5))
    out = rig.cycle(command(JobCommand(job_id=config.job_id, action=JobAction.STOP)))
    [ack] = of(out, StreamKind.LIVEDATA_RESPONSES)
    assert ack.value.device == str(config.job_id)
    [final] = of(out, StreamKind.LIVEDATA_DATA)
    assert final.value.value == 5.0


def test_heartbeats_follow_the_wall_clock(rig):
    start_job(rig)
    assert of(rig.cycle(), StreamKind.LIVEDATA_STATUS) == []
    rig.clock.now = rig.clock.now + Duration.from_seconds(2)
    beats = of(rig.cycle(), StreamKind.LIVEDATA_STATUS)
    service, job = (m.value for m in beats)
    assert isinstance(service, ServiceStatus) and service.state is ServiceState.RUNNING
    assert service.active_job_count == 1
    assert isinstance(job, JobStatus) and job.state is JobState.SCHEDULED


def test_first_cycle_sends_a_running_heartbeat():
    rig = Rig()
    [beat] = rig.cycle()
    assert beat.stream == STATUS_STREAM
    assert beat.value.state is ServiceState.RUNNING


def test_shutdown_sends_stopping_then_final_results_and_stopped(rig):
    config = start_job(rig)
    rig.cycle(data("panel_0", 2))
    rig.processor.shutdown()
    stopping, job = (m.value for m in rig.sink.take())
    assert stopping.state is ServiceState.STOPPING
    assert job.state is JobState.FINISHING
    rig.processor.finalize_and_report_stopped()
    out = rig.sink.take()
    [final] = of(out, StreamKind.LIVEDATA_DATA)
    assert final.value.value == 2.0
    service, job = (m.value for m in of(out, StreamKind.LIVEDATA_STATUS))
    assert service.state is ServiceState.STOPPED
    assert service.active_job_count == 0
    assert (job.job_id, job.state) == (config.job_id, JobState.STOPPED)


def test_processing_errors_propagate_to_the_service(rig):
    rig.batcher.fail = True
    rig.source.feed([data("panel_0", 1)])
    with pytest.raises(RuntimeError, match="batcher broke"):
        rig.processor.process()


def test_process_returns_how_many_messages_came(rig):
    rig.source.feed([data("panel_0", 1), data("panel_0", 1, offset_ms=1)])
    assert rig.processor.process() == 2
    assert rig.processor.process() == 0


def test_commands_sent_before_the_service_started_are_ignored_and_counted():
    """A broker may re-deliver commands of an earlier instance (C3: no zombies)."""
    rig = Rig(commands_since=Timestamp(T0))
    old = WorkflowConfig(
        identifier=SPEC.workflow_id, job_id=JobId(source_name="panel_0")
    )
    fresh = WorkflowConfig(
        identifier=SPEC.workflow_id, job_id=JobId(source_name="panel_0")
    )
    out = rig.cycle(
        Message(Timestamp(T0 - S), COMMANDS_STREAM, old),
        Message(Timestamp(T0), COMMANDS_STREAM, fresh),
    )
    [ack] = of(out, StreamKind.LIVEDATA_RESPONSES)
    assert ack.value.message_id == fresh.message_id
    assert rig.counters.get("commands_stale") == 1
    assert [job.job_id for job in rig.jobs.jobs] == [fresh.job_id]
