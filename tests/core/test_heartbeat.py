"""Heartbeat cadence on a fake wall clock and heartbeat contents (B11)."""

from livedata.core.heartbeat import HeartbeatPublisher, ServiceInfo
from livedata.core.identifiers import JobId
from livedata.core.metrics import Counters
from livedata.core.status import JobState, JobStatus, ServiceState, ServiceStatus
from livedata.core.stream import STATUS_STREAM
from livedata.core.timestamp import Duration, Timestamp

S = 1_000_000_000


class FakeClock:
    def __init__(self, ns: int = 1_000 * S) -> None:
        self.now = Timestamp(ns)

    def __call__(self) -> Timestamp:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now = self.now + Duration.from_seconds(seconds)


class FakeJobs:
    def __init__(self, statuses: list[JobStatus]) -> None:
        self.statuses = statuses

    @property
    def active_job_count(self) -> int:
        return len(self.statuses)

    def job_statuses(self) -> list[JobStatus]:
        return list(self.statuses)


INFO = ServiceInfo(instrument="dummy", service_name="detector_data", worker_id="w1")


def publisher(clock, jobs=None, counters=None) -> HeartbeatPublisher:
    return HeartbeatPublisher(
        INFO, jobs or FakeJobs([]), counters or Counters(), wall_clock=clock
    )


def test_first_heartbeat_is_due_at_once_then_every_two_seconds():
    clock = FakeClock()
    beats = publisher(clock)
    assert beats.maybe_beat(ServiceState.RUNNING) != []
    clock.advance(1.0)
    assert beats.maybe_beat(ServiceState.RUNNING) == []
    clock.advance(0.999)
    assert beats.maybe_beat(ServiceState.RUNNING) == []
    clock.advance(0.001)
    assert beats.maybe_beat(ServiceState.RUNNING) != []
    clock.advance(1.5)
    assert not beats.is_due()


def test_heartbeat_has_service_status_then_one_status_per_job():
    clock = FakeClock()
    jobs = FakeJobs(
        [
            JobStatus(
                state=JobState.ACTIVE,
                job_id=JobId(source_name=n),
                workflow_id="dummy/v/1",
            )
            for n in ("a", "b")
        ]
    )
    counters = Counters()
    counters.increment("messages_processed", 42)
    counters.increment("finalize_errors")
    started = clock()
    beats = publisher(clock, jobs, counters)
    clock.advance(5)
    service, *job_messages = beats.beat(ServiceState.RUNNING)
    assert service.stream == STATUS_STREAM
    assert service.timestamp == started + Duration.from_seconds(5)
    status = service.value
    assert isinstance(status, ServiceStatus)
    assert status.service_id == "dummy:detector_data:w1"
    assert status.state is ServiceState.RUNNING
    assert status.active_job_count == 2
    assert status.messages_processed == 42
    assert status.counters == {"messages_processed": 42, "finalize_errors": 1}
    assert status.started_at == started.ns
    assert [m.value.job_id.source_name for m in job_messages] == ["a", "b"]
    assert all(m.stream == STATUS_STREAM for m in job_messages)


def test_error_heartbeat_carries_the_error_and_is_sent_even_if_not_due():
    clock = FakeClock()
    beats = publisher(clock)
    beats.beat(ServiceState.RUNNING)
    [message] = beats.beat(ServiceState.ERROR, error="RuntimeError: boom")
    assert message.value.state is ServiceState.ERROR
    assert message.value.error == "RuntimeError: boom"
    assert message.timestamp == clock()


def test_heartbeat_carries_the_stream_stats_read_at_each_beat():
    clock = FakeClock()
    lags = iter([{"t/0": 5}, {"t/0": 0}])
    beats = HeartbeatPublisher(
        INFO,
        FakeJobs([]),
        Counters(),
        wall_clock=clock,
        stream_stats=lambda: {"consumer_lag": next(lags)},
    )
    [first] = beats.beat(ServiceState.RUNNING)
    [second] = beats.beat(ServiceState.RUNNING)
    assert first.value.stream_stats == {"consumer_lag": {"t/0": 5}}
    assert second.value.stream_stats == {"consumer_lag": {"t/0": 0}}


def test_without_a_stream_stats_provider_the_stats_are_empty():
    [message] = publisher(FakeClock()).beat(ServiceState.RUNNING)
    assert message.value.stream_stats == {}


def test_failing_stream_stats_are_counted_and_the_beat_still_goes_out():
    def broken() -> dict:
        raise RuntimeError("consumer gone")

    counters = Counters()
    beats = HeartbeatPublisher(
        INFO, FakeJobs([]), counters, wall_clock=FakeClock(), stream_stats=broken
    )
    [message] = beats.beat(ServiceState.RUNNING)
    assert message.value.stream_stats == {}
    assert message.value.counters == {"stream_stats_errors": 1}
