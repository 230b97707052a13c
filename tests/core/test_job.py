"""Job lifecycle: data-time activation and end, gating, warning vs error, commands."""

from typing import Any

from livedata.core.commands import JobSchedule
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.job import HELD_PRIMARY_WINDOWS, Job, Phase, event_count
from livedata.core.metrics import Counters
from livedata.core.status import JobState
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp

S = 1_000_000_000
WORKFLOW_ID = WorkflowId(instrument="dummy", name="sum", version=1)


class FakeWorkflow:
    """Sums the primary input; can be told to fail."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.total = 0
        self.fail_accumulate: str | None = None
        self.fail_finalize: str | None = None
        self.cleared = 0

    def accumulate(self, data, *, start_time, end_time) -> None:
        self.calls.append(dict(data))
        if self.fail_accumulate:
            raise RuntimeError(self.fail_accumulate)
        det = data.get("det", 0)
        self.total += len(det) if isinstance(det, list) else det

    def finalize(self) -> dict[str, Any]:
        if self.fail_finalize:
            raise ValueError(self.fail_finalize + "\nsecond line")
        return {"total": self.total}

    def clear(self) -> None:
        self.total = 0
        self.cleared += 1


def make_job(
    workflow=None, *, start=None, end=None, required=frozenset(), counters=None
) -> Job:
    return Job(
        job_id=JobId(source_name="det"),
        workflow_id=WORKFLOW_ID,
        workflow=workflow or FakeWorkflow(),
        inputs={"det": "det", "mon": "monitor", "temp": "temperature"},
        schedule=JobSchedule(start_time=start, end_time=end),
        required_keys=required,
        counters=counters,
    )


def by_stream(**data: Any) -> dict[StreamId, Any]:
    """Values keyed by stream; a job subscribes by name, so the kind is any."""
    return {StreamId(StreamKind.LOG, name): value for name, value in data.items()}


def batch(job: Job, second: int, **data):
    start, end = Timestamp(second * S), Timestamp((second + 1) * S)
    return job.process_batch(start, end, by_stream(**data))


def test_unscheduled_job_activates_on_first_batch_and_finalizes_primary_data():
    job = make_job()
    assert job.state is JobState.SCHEDULED
    result = batch(job, 10, det=3)
    assert job.state is JobState.ACTIVE
    assert result is not None
    assert result.outputs == {"total": 3}
    assert result.start_time == Timestamp(10 * S)
    assert result.end_time == Timestamp(11 * S)
    result = batch(job, 11, det=4)
    assert result.outputs == {"total": 7}
    # the data window grows from the first batch with primary data
    assert (result.start_time, result.end_time) == (
        Timestamp(10 * S),
        Timestamp(12 * S),
    )


def test_aux_only_batches_accumulate_silently():
    workflow = FakeWorkflow()
    job = make_job(workflow)
    assert batch(job, 1, mon=5) is None
    assert workflow.calls == [{"monitor": 5}]
    assert batch(job, 2, other=1) is None  # not subscribed: not even accumulated
    assert len(workflow.calls) == 1
    result = batch(job, 3, det=1, temp=20.0)
    assert workflow.calls[-1] == {"det": 1, "temperature": 20.0}
    assert result.outputs == {"total": 1}


def test_scheduled_job_activates_by_data_time_not_wall_clock():
    workflow = FakeWorkflow()
    job = make_job(workflow, start=20 * S)
    assert batch(job, 18, det=1) is None  # window [18, 19) ends before the start
    assert batch(job, 19, det=1) is None  # end_time == start: not yet
    assert job.state is JobState.SCHEDULED
    assert workflow.calls == []
    result = batch(job, 20, det=2)  # end 21 > 20
    assert job.state is JobState.ACTIVE
    assert result.outputs == {"total": 2}


def test_job_with_end_time_finishes_with_one_final_result_then_stops():
    workflow = FakeWorkflow()
    job = make_job(workflow, end=12 * S)
    batch(job, 10, det=1)
    batch(job, 11, det=1)
    final = batch(job, 12, det=100)  # starts at the end: not accumulated
    assert final is not None
    assert final.outputs == {"total": 2}
    assert job.phase is Phase.STOPPED
    assert job.state is JobState.STOPPED
    assert batch(job, 13, det=1) is None


def test_job_whose_end_passes_without_data_stops_without_result():
    job = make_job(end=5 * S)
    assert batch(job, 6) is None
    assert job.state is JobState.STOPPED


def test_accumulate_error_is_a_warning_and_the_job_still_finalizes():
    counters = Counters()
    workflow = FakeWorkflow()
    job = make_job(workflow, counters=counters)
    workflow.fail_accumulate = "bad pixel ids"
    result = batch(job, 1, det=1)
    assert job.state is JobState.WARNING
    assert job.status().warning == "RuntimeError: bad pixel ids"
    assert result is not None  # may still finalize
    assert counters.get("accumulate_errors") == 1
    workflow.fail_accumulate = None
    batch(job, 2, det=1)
    assert job.state is JobState.ACTIVE
    assert job.status().warning is None


def test_finalize_error_is_an_error_without_result_and_is_retried():
    counters = Counters()
    workflow = FakeWorkflow()
    job = make_job(workflow, counters=counters)
    workflow.fail_finalize = "no calibration"
    assert batch(job, 1, det=1) is None
    assert job.state is JobState.ERROR
    assert job.status().error == "ValueError: no calibration"  # one line
    assert batch(job, 2, det=1) is None
    assert counters.get("finalize_errors") == 2
    workflow.fail_finalize = None
    result = batch(job, 3, det=1)
    assert result.outputs == {"total": 3}
    assert job.state is JobState.ACTIVE
    assert job.status().error is None


def test_pending_context_holds_everything_until_required_inputs_arrived():
    workflow = FakeWorkflow()
    job = make_job(workflow, required=frozenset({"monitor", "temperature"}))
    assert batch(job, 1, det=1) is None
    assert job.state is JobState.PENDING_CONTEXT
    assert batch(job, 2, det=1, mon=7) is None
    assert job.state is JobState.PENDING_CONTEXT
    assert workflow.calls == []  # nothing accumulated while pending
    result = batch(job, 3, det=4, temp=300.0)
    # Held primary windows replay oldest first, the context with the first.
    assert workflow.calls == [
        {"monitor": 7, "temperature": 300.0, "det": 1},
        {"det": 1},
        {"det": 4},
    ]
    assert job.state is JobState.ACTIVE
    assert result.outputs == {"total": 6}  # no event lost


def test_primary_data_is_held_for_a_few_windows_then_counted_and_warned():
    counters = Counters()
    workflow = FakeWorkflow()
    job = make_job(workflow, required=frozenset({"monitor"}), counters=counters)
    for k in range(1, HELD_PRIMARY_WINDOWS + 3):
        assert batch(job, k, det=[0] * (10 * k)) is None  # len() counts events
    assert workflow.calls == []
    # The two oldest windows (10 and 20 events) were dropped, and say so.
    assert counters.snapshot()["dropped_events:det:pending_context"] == 30
    assert job.state is JobState.PENDING_CONTEXT
    warning = job.status().warning
    assert "20 events of det dropped" in warning and "monitor" in warning
    batch(job, 10, mon=1)
    assert [len(c["det"]) for c in workflow.calls] == [30, 40, 50]
    assert workflow.calls[0]["monitor"] == 1


def test_held_events_of_binned_data_are_counted():
    import numpy as np
    import scipp as sc

    events = sc.DataArray(sc.ones(sizes={"event": 7}))
    binned = sc.bins(
        begin=sc.array(dims=["pulse"], values=np.array([0, 3]), unit=None),
        dim="event",
        data=events,
    )
    assert event_count(binned) == 7
    assert event_count([1, 2]) == 2
    assert event_count(object()) == 1


def test_pending_context_completed_by_aux_only_batch_computes_nothing():
    workflow = FakeWorkflow()
    job = make_job(workflow, required=frozenset({"monitor"}))
    assert batch(job, 1, mon=1) is None
    assert workflow.calls == [{"monitor": 1}]
    assert job.state is JobState.ACTIVE


def test_pause_ignores_data_and_reports_warning_paused_until_resumed():
    workflow = FakeWorkflow()
    job = make_job(workflow)
    batch(job, 1, det=1)
    job.pause()
    assert job.state is JobState.WARNING
    assert job.status().warning == "paused"
    assert batch(job, 2, det=5) is None
    assert len(workflow.calls) == 1
    job.resume()
    assert job.state is JobState.ACTIVE
    assert job.status().warning is None
    assert batch(job, 3, det=2).outputs == {"total": 3}


def test_reset_clears_workflow_and_data_window():
    workflow = FakeWorkflow()
    job = make_job(workflow)
    batch(job, 1, det=5)
    job.reset()
    assert workflow.cleared == 1
    assert not job.has_data
    result = batch(job, 7, det=1)
    assert result.outputs == {"total": 1}
    assert result.start_time == Timestamp(7 * S)


def test_stop_finishes_with_final_result_when_there_is_data():
    job = make_job()
    batch(job, 1, det=2)
    job.stop()
    assert job.state is JobState.FINISHING
    final = job.finish()
    assert final.outputs == {"total": 2}
    assert job.state is JobState.STOPPED


def test_stop_of_job_without_data_stops_without_result():
    workflow = FakeWorkflow()
    job = make_job(workflow, start=100 * S)
    job.stop()
    assert job.finish() is None
    assert job.state is JobState.STOPPED
    assert workflow.calls == []


def test_finishing_job_whose_final_finalize_fails_stops_with_error_message():
    workflow = FakeWorkflow()
    job = make_job(workflow)
    batch(job, 1, det=2)
    workflow.fail_finalize = "boom"
    job.stop()
    assert job.finish() is None
    status = job.status()
    assert status.state is JobState.STOPPED
    assert status.error == "ValueError: boom"


def test_status_carries_ids_and_times():
    job = make_job(start=5 * S, end=50 * S)
    status = job.status()
    assert status.job_id == job.job_id
    assert status.workflow_id == "dummy/sum/1"
    assert (status.start_time, status.end_time) == (5 * S, 50 * S)
    batch(job, 7, det=1)
    assert job.status().start_time == 7 * S  # the data window once there is data


def stream(kind: StreamKind, name: str) -> StreamId:
    return StreamId(kind, name)


def test_two_kinds_of_one_name_are_accumulated_one_after_the_other():
    workflow = FakeWorkflow()
    job = make_job(workflow)
    data = {
        stream(StreamKind.MONITOR_EVENTS, "det"): 2,
        stream(StreamKind.MONITOR_COUNTS, "det"): 5,
        stream(StreamKind.LOG, "temp"): 300.0,
    }
    result = job.process_batch(Timestamp(0), Timestamp(S), data)
    assert workflow.calls == [{"det": 2, "temperature": 300.0}, {"det": 5}]
    assert result.outputs == {"total": 7}  # one finalize after both


def test_context_held_from_earlier_batches_is_delivered_once():
    workflow = FakeWorkflow()
    job = make_job(workflow, required=frozenset({"temperature"}))
    batch(job, 1, det=1, mon=10)  # pending: the monitor value is held
    data = {
        stream(StreamKind.DETECTOR_EVENTS, "det"): 2,
        stream(StreamKind.MONITOR_EVENTS, "det"): 3,
        stream(StreamKind.LOG, "temp"): 300.0,
    }
    job.process_batch(Timestamp(2 * S), Timestamp(3 * S), data)
    assert workflow.calls == [
        {"monitor": 10, "temperature": 300.0, "det": 1},  # held from batch 1
        {"det": 2},
        {"det": 3},
    ]


class DroppingWorkflow(FakeWorkflow):
    def __init__(self) -> None:
        super().__init__()
        self.drops = {"bad_pixel_id": 0}

    def accumulate(self, data, *, start_time, end_time) -> None:
        # Drops are counted as events are seen, before anything can fail.
        self.drops["bad_pixel_id"] += data.get("det", 0)
        super().accumulate(data, start_time=start_time, end_time=end_time)

    def take_dropped_events(self) -> dict[str, int]:
        drops, self.drops = self.drops, {"bad_pixel_id": 0}
        return drops


def test_drops_reported_by_the_workflow_go_into_the_counters_even_on_errors():
    counters = Counters()
    workflow = DroppingWorkflow()
    job = make_job(workflow, counters=counters)
    batch(job, 1, det=3)
    workflow.fail_accumulate = "boom"
    batch(job, 2, det=4)
    assert counters.get("dropped_events:det:bad_pixel_id") == 7
    assert counters.get("accumulate_errors") == 1
