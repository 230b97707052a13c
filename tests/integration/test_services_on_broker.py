"""Services as real subprocesses on the embedded broker, driven through Kafka."""

import signal
import time
import uuid

import numpy as np
import pytest

from livedata.control.quick import send_and_wait_for_acks, wait_for_services
from livedata.core.commands import JobAction, JobCommand, WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.status import JobStatus, ServiceStatus
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.kafka.wire_builders import command_message, ev44_message
from tests.integration.helpers import (
    Listener,
    produce,
    service_output,
    start_service,
    stop_service,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def services(bootstrap):
    procs = {
        name: start_service(name, bootstrap)
        for name in ("detector_data", "monitor_data")
    }
    missing = wait_for_services("dummy", bootstrap, list(procs), timeout=60)
    assert not missing, f"no heartbeat from {missing}"
    yield procs
    for proc in procs.values():
        stop_service(proc)


def config(workflow: str, source: str) -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId.parse_str(workflow),
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
    )


def results_of(job_id, output):
    def find(messages):
        return [
            m.value
            for t, m in messages
            if t == "dummy_livedata_data"
            and ResultKey.from_json(m.stream.name).job_id == job_id
            and ResultKey.from_json(m.stream.name).output_name == output
        ]

    return find


def job_states(job_id):
    def find(messages):
        return [
            m.value.state.value
            for t, m in messages
            if isinstance(m.value, JobStatus) and m.value.job_id == job_id
        ]

    return find


def test_job_lifecycle_results_and_acks_from_owner_only(bootstrap, services):
    listener = Listener(bootstrap)
    try:
        cfg = config("dummy/panel_0_xy/2", "panel_0")
        outcome = send_and_wait_for_acks("dummy", bootstrap, [cfg], timeout=30)
        assert outcome.all_acked
        time.sleep(1.0)  # any second (wrong) answer would have arrived by now
        answers = [
            m.value
            for t, m in listener.snapshot()
            if t == "dummy_livedata_responses" and m.value.message_id == cfg.message_id
        ]
        assert len(answers) == 1, "only the owning service answers"

        rng = np.random.default_rng(0)
        t0 = (time.time_ns() - 30 * NS_PER_S) // NS_PER_S * NS_PER_S
        raws, sent = [], 0
        for i in range(28):
            n = 5000
            raws.append(
                ev44_message(
                    "dummy_detector",
                    "panel_0",
                    t0 + i * PULSE_PERIOD.ns,
                    rng.integers(1, 16385, n),
                    rng.integers(0, 70_000_000, n),
                )
            )
            sent += n
        raws.append(
            ev44_message("dummy_detector", "panel_0", t0 + 3 * NS_PER_S, [], [])
        )
        produce(bootstrap, raws)
        totals = listener.wait_for(
            lambda ms: [
                v
                for v in results_of(cfg.job_id, "counts_total_cumulative")(ms)
                if v.value == sent
            ],
            timeout=30,
        )
        assert totals[-1].value == sent
        images = results_of(cfg.job_id, "cumulative")(listener.snapshot())
        assert images[-1].dims == ("y", "x")
        assert images[-1].sum().value == pytest.approx(sent)
        assert listener.wait_for(job_states(cfg.job_id))[-1] in ("active", "scheduled")

        stop = JobCommand(job_id=cfg.job_id, action=JobAction.STOP)
        produce(bootstrap, [command_message("dummy", stop)])
        listener.wait_for(
            lambda ms: "stopped" in job_states(cfg.job_id)(ms), timeout=20
        )
        # After "stopped" the job is no longer reported.
        count = len(job_states(cfg.job_id)(listener.snapshot()))
        time.sleep(4.5)  # two heartbeat intervals
        assert len(job_states(cfg.job_id)(listener.snapshot())) == count
    finally:
        listener.close()


def test_commands_for_other_instruments_or_unknown_workflows_are_ignored(
    bootstrap, services
):
    """Neither running service owns them; an unknown dummy id is refused by
    data_reduction alone (not running here; see test_facility_dashboard_commands)."""
    other = config("dream/panel_0_xy/1", "panel_0")
    unknown = config("dummy/no_such_workflow/1", "panel_0")
    outcome = send_and_wait_for_acks("dummy", bootstrap, [other, unknown], timeout=4)
    assert outcome.answers == ()
    assert len(outcome.missing) == 2


def test_heartbeats_are_x5f2_service_and_job_statuses(bootstrap, services):
    listener = Listener(bootstrap)
    try:
        beats = listener.wait_for(
            lambda ms: (
                {
                    m.value.service_name
                    for t, m in ms
                    if isinstance(m.value, ServiceStatus)
                    and m.value.state.value == "running"
                }
                >= {"detector_data", "monitor_data"}
            ),
            timeout=10,
        )
        assert beats
    finally:
        listener.close()


def test_restarted_service_restores_its_job_without_running_the_command_again(
    bootstrap,
):
    """After a graceful restart the job comes back from the commands topic
    (G5), marked restored, and the old command is not answered a second time."""
    proc = start_service("timeseries", bootstrap)
    try:
        assert not wait_for_services("dummy", bootstrap, ["timeseries"], timeout=60)
        cfg = config("dummy/timeseries_data/2", "motion1")
        assert send_and_wait_for_acks("dummy", bootstrap, [cfg], timeout=30).all_acked
    finally:
        assert stop_service(proc) == 0
    listener = Listener(bootstrap)
    proc = start_service("timeseries", bootstrap)
    try:
        listener.wait_for(
            lambda ms: any(
                isinstance(m.value, ServiceStatus)
                and m.value.service_name == "timeseries"
                and m.value.state.value == "running"
                for t, m in ms
            ),
            timeout=60,
        )
        time.sleep(4.5)  # two heartbeats of the new instance
        # The listener may still see the first instance's final "finishing" and
        # "stopped" (the broker's end offset lags by one producer batch).
        alive = {"scheduled", "active", "pending_context", "warning", "error"}
        statuses = [
            m.value
            for _, m in listener.snapshot()
            if isinstance(m.value, JobStatus) and m.value.job_id == cfg.job_id
        ]
        running = [s for s in statuses if s.state.value in alive]
        assert running and all(s.restored for s in running)
        answers = [
            m.value
            for t, m in listener.snapshot()
            if t == "dummy_livedata_responses"
            and getattr(m.value, "message_id", None) == cfg.message_id
        ]
        assert answers == []  # restored, not run again as a new command
    finally:
        assert stop_service(proc) == 0
        listener.close()


def test_sigterm_sends_stopping_then_stopped(bootstrap):
    listener = Listener(bootstrap)
    proc = start_service("data_reduction", bootstrap)
    try:
        listener.wait_for(
            lambda ms: any(
                isinstance(m.value, ServiceStatus)
                and m.value.state.value == "running"
                and m.value.service_name == "data_reduction"
                for t, m in ms
            ),
            timeout=60,
        )
        worker = next(
            m.value.worker_id
            for t, m in listener.snapshot()
            if isinstance(m.value, ServiceStatus)
            and m.value.service_name == "data_reduction"
        )
        assert stop_service(proc, signal.SIGTERM) == 0

        def states(ms):
            return [
                m.value.state.value
                for t, m in ms
                if isinstance(m.value, ServiceStatus) and m.value.worker_id == worker
            ]

        final = listener.wait_for(
            lambda ms: "stopped" in states(ms) and states(ms), timeout=10
        )
        assert final[-2:] == ["stopping", "stopped"]
    finally:
        listener.close()


def test_sigusr1_prints_every_threads_stack_and_the_service_goes_on(bootstrap):
    proc = start_service("timeseries", bootstrap)
    try:
        assert not wait_for_services("dummy", bootstrap, ["timeseries"], timeout=60)
        proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while "most recent call first" not in service_output(proc):
            assert time.monotonic() < deadline, service_output(proc)
            time.sleep(0.1)
        assert "livedata/kafka/source.py" in service_output(proc)  # the poller
        assert proc.poll() is None
    finally:
        assert stop_service(proc) == 0
