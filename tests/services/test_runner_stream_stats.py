"""The runner puts the source's consumer lag into service heartbeats."""

from typing import Any

from livedata.core.identifiers import JobId
from livedata.core.message import Message
from livedata.core.status import JobState, JobStatus, ServiceState, ServiceStatus
from livedata.core.stream import STATUS_STREAM, StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.services.runner import StreamStatsSink


class RecordingSink:
    def __init__(self) -> None:
        self.published: list[Message[Any]] = []

    def publish_messages(self, messages: list[Message[Any]]) -> None:
        self.published.extend(messages)


def test_service_heartbeats_get_the_stream_stats_other_messages_pass_unchanged():
    service = ServiceStatus(
        instrument="dummy",
        service_name="detector_data",
        worker_id="w",
        state=ServiceState.RUNNING,
        started_at=1,
        stream_stats={"other": 1},
    )
    job = JobStatus(
        state=JobState.ACTIVE, job_id=JobId(source_name="a"), workflow_id="d/w/1"
    )
    result = Message(Timestamp(5), StreamId(StreamKind.LIVEDATA_DATA, "r"), 1.0)
    lags = {"consumer_lag": {"dummy_detector/0": 3}}
    inner = RecordingSink()
    sink = StreamStatsSink(inner, lambda: lags)
    sink.publish_messages(
        [
            Message(Timestamp(5), STATUS_STREAM, service),
            Message(Timestamp(5), STATUS_STREAM, job),
            result,
        ]
    )
    beat, job_beat, passed = inner.published
    assert beat.value.stream_stats == {
        "other": 1,
        "consumer_lag": {"dummy_detector/0": 3},
    }
    assert beat.timestamp == Timestamp(5) and beat.stream == STATUS_STREAM
    assert beat.value.service_id == service.service_id
    assert job_beat.value is job
    assert passed is result
