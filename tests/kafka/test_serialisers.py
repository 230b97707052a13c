"""Everything livedata publishes -> bytes -> the client chain -> the same thing back."""

from __future__ import annotations

import json

import pytest
import scipp as sc
import scipp.testing
from streaming_data_types import dataarray_da00, status_x5f2

from livedata import __version__
from livedata.core.commands import (
    CommandAcknowledgement,
    JobAction,
    JobCommand,
    JobSchedule,
    Response,
    WorkflowConfig,
)
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.job import JobResult
from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.result import unroll
from livedata.core.status import (
    JobState,
    JobStatus,
    ServiceState,
    ServiceStatus,
    StatusCode,
)
from livedata.core.stream import (
    COMMANDS_STREAM,
    RESPONSES_STREAM,
    STATUS_STREAM,
    StreamId,
    StreamKind,
)
from livedata.core.timestamp import Timestamp
from livedata.instruments.dummy.streams import DEV
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_client_adapter, build_service_adapter
from livedata.kafka.serialisers import (
    HEARTBEAT_INTERVAL_MS,
    OutgoingRecord,
    Serialiser,
)

T0 = 1_785_000_000_000_000_000
WORKFLOW = WorkflowId(instrument="dummy", name="monitor_histogram", version=2)
JOB = JobId(source_name="monitor1")


@pytest.fixture
def serialise() -> Serialiser:
    return Serialiser("dummy", host="testhost", pid=4242)


def decode(record: OutgoingRecord, kafka_time_ms: int = 0) -> Message:
    counters = Counters()
    raw = RawMessage(record.topic, record.value, record.key, kafka_time_ms)
    message = build_client_adapter("dummy", counters).adapt(raw)
    assert counters.snapshot() == {}, counters.snapshot()
    return message


def job_result() -> JobResult:
    spectrum = sc.DataArray(
        sc.array(dims=["toa"], values=[1.0, 3.0], variances=[1.0, 3.0], unit="counts"),
        coords={"toa": sc.array(dims=["toa"], values=[0.0, 35.7, 71.4], unit="ms")},
        name="Monitor 1",
    )
    return JobResult(
        job_id=JOB,
        workflow_id=WORKFLOW,
        start_time=Timestamp(T0),
        end_time=Timestamp(T0 + 1_000_000_000),
        outputs={"cumulative": spectrum, "current": spectrum * 2.0},
    )


def test_results_travel_as_da00_keyed_by_result_key(serialise: Serialiser) -> None:
    for message in unroll(job_result()):
        record = serialise(message)
        assert record.topic == "dummy_livedata_data"
        assert record.key == message.stream.name.encode()
        assert record.value[4:8] == b"da00"
        wire = dataarray_da00.deserialise_da00(record.value)
        assert wire.timestamp_ns == T0  # start of the data window
        key = ResultKey.from_json(wire.source_name)
        assert key.workflow_id == WORKFLOW
        assert key.job_id == JOB
        assert key.output_name in {"cumulative", "current"}

        back = decode(record)
        assert back.stream == message.stream
        assert back.stream.kind is StreamKind.LIVEDATA_DATA
        assert back.timestamp == message.timestamp
        # Variances travel as standard deviations: equal up to rounding.
        sc.testing.assert_allclose(back.value, message.value, rtol=sc.scalar(1e-12))
        assert back.value.name == message.value.name
        assert back.value.coords["start_time"].value == T0
        assert back.value.coords["time"].value == T0 + 1_000_000_000


def test_roi_requests_travel_as_da00_on_the_roi_topic(serialise: Serialiser) -> None:
    roi = sc.DataArray(
        sc.array(dims=["bounds"], values=[1, 1], unit=None, dtype="int32"),
        coords={
            "x": sc.array(dims=["bounds"], values=[-0.1, 0.1], unit="m"),
            "y": sc.array(dims=["bounds"], values=[-0.2, 0.2], unit="m"),
        },
    )
    stream = StreamId(
        StreamKind.LIVEDATA_ROI, f"panel_0/{JOB.job_number}/roi_rectangle"
    )
    record = serialise(Message(Timestamp(T0), stream, roi))
    assert record.topic == "dummy_livedata_roi"
    back = build_service_adapter(DEV, Counters()).adapt(
        RawMessage(record.topic, record.value, record.key)
    )
    assert back.stream == stream
    sc.testing.assert_identical(back.value, roi)


def service_status() -> ServiceStatus:
    return ServiceStatus(
        instrument="dummy",
        service_name="monitor_data",
        worker_id="0f0e",
        state=ServiceState.RUNNING,
        started_at=T0,
        active_job_count=1,
        messages_processed=10,
        stream_stats={"monitor1": {"messages": 10}},
        counters={"unknown_topic": 2},
    )


def job_status(state: JobState = JobState.ACTIVE) -> JobStatus:
    return JobStatus(
        state=state,
        job_id=JOB,
        workflow_id=str(WORKFLOW),
        start_time=T0,
        warning="late data" if state is JobState.WARNING else None,
    )


@pytest.mark.parametrize(
    ("status", "code", "service_id"),
    [
        (service_status(), StatusCode.OK, "dummy:monitor_data:0f0e"),
        (job_status(), StatusCode.OK, f"monitor1:{JOB.job_number}"),
        (
            job_status(JobState.WARNING),
            StatusCode.WARNING,
            f"monitor1:{JOB.job_number}",
        ),
        (
            job_status(JobState.SCHEDULED),
            StatusCode.DISABLED,
            f"monitor1:{JOB.job_number}",
        ),
        (job_status(JobState.ERROR), StatusCode.ERROR, f"monitor1:{JOB.job_number}"),
    ],
)
def test_heartbeats_are_x5f2_with_the_nicos_status_json(
    serialise: Serialiser, status, code: StatusCode, service_id: str
) -> None:
    record = serialise(Message(Timestamp(T0), STATUS_STREAM, status))
    assert record.topic == "dummy_livedata_heartbeat"
    assert record.key is None
    x5f2 = status_x5f2.deserialise_x5f2(record.value)
    assert x5f2.software_name == "livedata"
    assert x5f2.software_version == __version__
    assert x5f2.service_id == service_id
    assert x5f2.host_name == "testhost"
    assert x5f2.process_id == 4242
    assert x5f2.update_interval == HEARTBEAT_INTERVAL_MS == 2000
    document = json.loads(x5f2.status_json)
    assert document["status"] == int(code)
    assert document["message"]["message_type"] == status.message_type
    assert document["message"]["state"] == status.state.value

    back = decode(record, kafka_time_ms=T0 // 1_000_000)
    assert back.stream == STATUS_STREAM
    assert back.value == status
    assert back.timestamp == Timestamp(T0)


def test_service_id_splits_from_the_right(serialise: Serialiser) -> None:
    status = service_status().model_copy(update={"instrument": "a:b"})
    x5f2 = status_x5f2.deserialise_x5f2(
        serialise(Message(Timestamp(0), STATUS_STREAM, status)).value
    )
    assert x5f2.service_id.rsplit(":", 2) == ["a:b", "monitor_data", "0f0e"]


@pytest.mark.parametrize(
    "ack",
    [
        CommandAcknowledgement(
            message_id="m1", device="monitor1", response=Response.ACK
        ),
        CommandAcknowledgement(
            message_id="m2",
            device=f"monitor1/{JOB.job_number}",
            response=Response.ERR,
            message="unknown workflow",
        ),
        CommandAcknowledgement(message_id=None, device="all", response=Response.ACK),
    ],
)
def test_acknowledgements_are_json_on_the_responses_topic(
    serialise: Serialiser, ack: CommandAcknowledgement
) -> None:
    record = serialise(Message(Timestamp(T0), RESPONSES_STREAM, ack))
    assert record.topic == "dummy_livedata_responses"
    document = json.loads(record.value)
    assert set(document) == {"message_id", "device", "response", "message"}
    assert document["response"] == ack.response.value
    back = decode(record)
    assert back.stream == RESPONSES_STREAM
    assert back.value == ack


def test_workflow_configs_are_keyed_by_workflow_and_source(
    serialise: Serialiser,
) -> None:
    config = WorkflowConfig(
        identifier=WORKFLOW,
        job_id=JOB,
        schedule=JobSchedule(start_time=T0, end_time=None),
        aux_source_names={"monitor": "monitor2"},
        params={"toa_bins": 100},
    )
    record = serialise(Message(Timestamp(T0), COMMANDS_STREAM, config))
    assert record.topic == "dummy_livedata_commands"
    assert record.key == b"dummy/monitor_histogram/2/monitor1"
    document = json.loads(record.value)
    assert document["kind"] == "workflow_config"
    assert document["identifier"] == {
        "instrument": "dummy",
        "name": "monitor_histogram",
        "version": 2,
    }
    assert document["job_id"]["source_name"] == "monitor1"
    assert decode(record).value == config


def test_a_restarted_job_on_the_same_source_reuses_the_key(
    serialise: Serialiser,
) -> None:
    """Same workflow, same source: the newer config supersedes the older under compaction."""
    first = WorkflowConfig(identifier=WORKFLOW, job_id=JobId(source_name="monitor1"))
    second = WorkflowConfig(identifier=WORKFLOW, job_id=JobId(source_name="monitor1"))
    other = WorkflowConfig(identifier=WORKFLOW, job_id=JobId(source_name="monitor2"))
    keys = [
        serialise(Message(Timestamp(0), COMMANDS_STREAM, c)).key
        for c in (first, second, other)
    ]
    assert keys[0] == keys[1] != keys[2]


@pytest.mark.parametrize(
    ("command", "key"),
    [
        (JobCommand(job_id=JOB, action=JobAction.STOP), f"job/{JOB}".encode()),
        (
            JobCommand(workflow_id=WORKFLOW, action=JobAction.PAUSE),
            b"workflow/dummy/monitor_histogram/2",
        ),
        (JobCommand(action=JobAction.RESET), b"all"),
    ],
)
def test_job_commands_are_keyed_by_target(
    serialise: Serialiser, command: JobCommand, key: bytes
) -> None:
    record = serialise(Message(Timestamp(0), COMMANDS_STREAM, command))
    assert record.topic == "dummy_livedata_commands"
    assert record.key == key
    assert decode(record).value == command


@pytest.mark.parametrize(
    "kind", [StreamKind.DETECTOR_EVENTS, StreamKind.LOG, StreamKind.MONITOR_COUNTS]
)
def test_raw_kinds_are_not_published(serialise: Serialiser, kind: StreamKind) -> None:
    with pytest.raises(ValueError, match=kind.value):
        serialise(Message(Timestamp(0), StreamId(kind, "x"), None))


def test_default_host_and_pid_are_the_process() -> None:
    import os
    import socket

    record = Serialiser("dummy")(Message(Timestamp(0), STATUS_STREAM, service_status()))
    x5f2 = status_x5f2.deserialise_x5f2(record.value)
    assert x5f2.host_name == socket.gethostname()
    assert x5f2.process_id == os.getpid()


def test_nicos_values_travel_as_da00_keyed_by_device_name(
    serialise: Serialiser,
) -> None:
    from livedata.kafka.da00_compat import da00_to_scipp

    value = sc.DataArray(
        sc.array(dims=["roi"], values=[12.0, 30.0], unit="counts"),
        coords={"roi": sc.array(dims=["roi"], values=[0, 1], unit=None)},
    )
    stream = StreamId(StreamKind.LIVEDATA_NICOS_DATA, "livedata_counts_roi")
    record = serialise(Message(Timestamp(T0), stream, value))
    assert record.topic == "dummy_livedata_nicos_data"
    assert record.key == b"livedata_counts_roi"
    wire = dataarray_da00.deserialise_da00(record.value)
    assert wire.source_name == "livedata_counts_roi"
    assert wire.timestamp_ns == T0
    sc.testing.assert_identical(da00_to_scipp(wire.data), value)
