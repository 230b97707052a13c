"""`job list` tells an operator that a job was restored after a restart (issue 11)."""

from __future__ import annotations

import uuid

from livedata.cli.status_views import job_cells
from livedata.control.job_service import JobService
from livedata.core.identifiers import JobId
from livedata.core.status import JobState, JobStatus


def status(restored: bool) -> JobStatus:
    return JobStatus(
        state=JobState.ACTIVE,
        job_id=JobId(source_name="panel_0", job_number=uuid.uuid4()),
        workflow_id="dummy/panel_0_xy/1",
        restored=restored,
    )


def test_a_restored_job_says_so_in_the_job_list() -> None:
    jobs = JobService()
    jobs.observe(status(True), "dummy:detector_data:w1")
    jobs.observe(status(False), "dummy:detector_data:w1")
    rows = sorted(jobs.rows(), key=lambda r: not r.restored)
    assert [r.restored for r in rows] == [True, False]
    assert job_cells(rows[0])[-1] == "restored after a service restart"
    assert job_cells(rows[1])[-1] is None


def test_old_heartbeats_without_the_field_parse_as_not_restored() -> None:
    document = status(False).model_dump(mode="json")
    del document["restored"]
    assert JobStatus.model_validate(document).restored is False
