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
        state=JobState(state), job_id=job, workflow_id="dummy/panel_0_xy/1"
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
    assert jobs.active("dummy/panel_0_xy/1") == [str(JOB)]
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
