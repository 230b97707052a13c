import uuid

import pytest

from livedata.control.job_service import JobService
from livedata.control.snapshots import Health
from livedata.core.identifiers import JobId
from livedata.core.status import JobState, JobStatus
from tests.control.plane_helpers import FakeClock

JOB = JobId(source_name="panel_0", job_number=uuid.UUID(int=1))


def status(state="active", job=JOB):
    return JobStatus(
        state=JobState(state), job_id=job, workflow_id="dummy/panel_0_xy/2"
    )


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def jobs(clock):
    return JobService(clock=clock, stale_after_s=6, stopped_linger_s=10)


def ok(_service_id):
    return Health.OK


def test_rows_follow_heartbeats(jobs):
    jobs.observe(status("scheduled"), "svc")
    jobs.observe(status("active"))
    (row,) = jobs.rows()
    assert row.job_id == str(JOB)
    assert row.state == "active"
    assert row.service_id == "svc"  # remembered from the earlier beat
    assert jobs.active("dummy/panel_0_xy/2") == [str(JOB)]
    assert jobs.active("dummy/other/1") == []


def test_jobs_of_a_stale_service_are_stale(jobs):
    jobs.observe(status(), "svc")
    assert jobs.refresh(lambda sid: Health.STALE)
    assert jobs.rows()[0].state == "stale"
    assert jobs.active() == []
    assert jobs.refresh(ok)
    assert jobs.rows()[0].state == "active"


def test_a_silent_job_becomes_stale(jobs, clock):
    jobs.observe(status())
    clock.advance(6.5)
    jobs.refresh(ok)
    assert jobs.rows()[0].state == "stale"


def test_stopped_jobs_linger_then_leave(jobs, clock):
    jobs.observe(status("stopped"), "svc")
    clock.advance(9)
    assert not jobs.refresh(ok)
    assert jobs.rows()[0].state == "stopped"
    clock.advance(2)
    assert jobs.refresh(ok)
    assert jobs.rows() == ()


def test_refresh_derives_only_what_can_have_changed(jobs, clock):
    asked: list[str] = []

    def health(service_id):
        asked.append(service_id)
        return Health.STALE if service_id == "svc0" else Health.OK

    ids = [JobId(source_name="panel_0", job_number=uuid.UUID(int=i)) for i in range(40)]
    for i, job in enumerate(ids):
        jobs.observe(status(job=job), f"svc{i % 4}")
    assert jobs.refresh(health)  # the jobs of svc0 are stale
    assert jobs.derived == 40
    assert sorted(asked) == ["svc0", "svc1", "svc2", "svc3"]  # once per service
    assert sum(r.state == "stale" for r in jobs.rows()) == 10
    clock.advance(1)
    assert not jobs.refresh(health)
    assert jobs.derived == 40  # nothing heard, nothing due: nothing derived
    jobs.observe(status("warning", job=ids[1]), "svc1")
    jobs.refresh(health)
    assert jobs.derived == 41
    assert sum(r.state == "warning" for r in jobs.rows()) == 1
    assert jobs.refresh(ok)  # svc0 is back: its ten jobs only
    assert jobs.derived == 51
    assert jobs.active() and len(jobs.active()) == 40
    clock.advance(5.5)  # the silent jobs are now older than stale_after_s
    assert jobs.refresh(ok)
    assert jobs.derived == 91  # a pass over all of them
    assert [r.state for r in jobs.rows()].count("stale") == 39
    clock.advance(1)  # and the one heard a second later
    assert jobs.refresh(ok)
    assert {r.state for r in jobs.rows()} == {"stale"}
