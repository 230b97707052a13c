"""SIGKILL and restart of each service: its jobs come back with the same ids,
marked restored, and produce results again (G5, issue 11)."""

from __future__ import annotations

import signal
import time

import pytest

from livedata.control.quick import send_and_wait_for_acks, wait_for_services
from livedata.core.timestamp import NS_PER_S
from livedata.kafka.wire_builders import ev44_message, f144_message
from tests.faults.faults import config, job_statuses, produce_checked, results
from tests.integration.helpers import (
    Listener,
    service_output,
    start_service,
    stop_service,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# service -> (workflow, source, raw-data maker for a second of data at t)
CASES = {
    "detector_data": (
        "dummy/panel_0_xy/1",
        "panel_0",
        lambda t: ev44_message("dummy_detector", "panel_0", t, [1, 2, 3], [5, 6, 7]),
        "counts_total_cumulative",
    ),
    "data_reduction": (
        "dummy/total_counts/1",
        "panel_0",
        lambda t: ev44_message("dummy_detector", "panel_0", t, [1, 2, 3], [5, 6, 7]),
        "total_counts",
    ),
    "monitor_data": (
        "dummy/monitor_histogram/1",
        "monitor1",
        lambda t: ev44_message("dummy_beam_monitor", "monitor1", t, None, [5, 6, 7]),
        "counts_total_cumulative",
    ),
    "timeseries": (
        "dummy/timeseries_data/1",
        "motion2",
        lambda t: f144_message("dummy_motion", "motion2", t, 1.5),
        "delta",  # the facility's timeseries output
    ),
}


def feed(bootstrap: str, make, seconds: int = 3) -> None:
    t0 = time.time_ns() // NS_PER_S * NS_PER_S - seconds * NS_PER_S
    produce_checked(bootstrap, [make(t0 + i * NS_PER_S) for i in range(seconds + 1)])


@pytest.mark.parametrize("service", sorted(CASES))
def test_killed_service_restores_its_jobs_with_the_same_ids(bootstrap, service):
    workflow, source, make, output = CASES[service]
    listener = Listener(bootstrap)
    proc = start_service(service, bootstrap)
    try:
        assert not wait_for_services("dummy", bootstrap, [service], timeout=60)
        cfg = config(workflow, source)
        assert send_and_wait_for_acks("dummy", bootstrap, [cfg], timeout=60).all_acked
        feed(bootstrap, make)
        listener.wait_for(lambda _: results(listener, cfg.job_id, output), timeout=60)
        assert not any(s.restored for s in job_statuses(listener, cfg.job_id))

        proc.send_signal(signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
        killed_at = time.monotonic()
        before = len(results(listener, cfg.job_id, output))
        proc = start_service(service, bootstrap, log_level="INFO")
        try:
            restored = listener.wait_for(
                lambda _: [s for s in job_statuses(listener, cfg.job_id) if s.restored],
                timeout=120,  # a service start under CI load, then its first beat
            )
        except AssertionError:
            raise AssertionError(
                f"no restored job; the service said:\n{service_output(proc, 20000)}"
            ) from None
        assert restored[-1].job_id == cfg.job_id
        assert restored[-1].state.value in ("scheduled", "active")
        feed(bootstrap, make)
        listener.wait_for(
            lambda _: len(results(listener, cfg.job_id, output)) > before, timeout=60
        )
        print(
            f"{service}: results again {time.monotonic() - killed_at:.1f} s after kill"
        )
    finally:
        stop_service(proc)
        listener.close()


def test_a_stopped_job_is_not_restored(bootstrap):
    from livedata.core.commands import JobAction, JobCommand
    from livedata.kafka.wire_builders import command_message

    cfg = config("dummy/panel_0_logical/1", "panel_0")
    listener = Listener(bootstrap)
    proc = start_service("detector_data", bootstrap)
    try:
        assert not wait_for_services("dummy", bootstrap, ["detector_data"], timeout=60)
        assert send_and_wait_for_acks("dummy", bootstrap, [cfg], timeout=60).all_acked
        stop = JobCommand(job_id=cfg.job_id, action=JobAction.STOP)
        produce_checked(bootstrap, [command_message("dummy", stop)])
        listener.wait_for(
            lambda _: [
                s
                for s in job_statuses(listener, cfg.job_id)
                if s.state.value == "stopped"
            ],
            timeout=20,
        )
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc = start_service("detector_data", bootstrap)
        assert not wait_for_services("dummy", bootstrap, ["detector_data"], timeout=60)
        time.sleep(5)  # two heartbeats after the restart
        assert not [s for s in job_statuses(listener, cfg.job_id) if s.restored]
    finally:
        stop_service(proc)
        listener.close()
