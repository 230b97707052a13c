"""Jobs as seen in their heartbeats (B11).

A job's row follows its last status. When its service goes stale (or the job's
own heartbeats stop) the row says ``stale`` rather than pretending the job still
runs; a stopped job is reported once by its service and leaves the table after
a short while, so an operator sees that it stopped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..core.status import JobState, JobStatus
from .service_registry import synchronized
from .snapshots import Health, JobRow

STALE = "stale"


@dataclass
class _Seen:
    status: JobStatus
    service_id: str | None
    last_seen: float
    state: str


class JobService:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        stale_after_s: float = 6.0,
        stopped_linger_s: float = 10.0,
        forget_after_s: float = 600.0,
    ) -> None:
        self._clock = clock
        self._stale_after_s = stale_after_s
        self._stopped_linger_s = stopped_linger_s
        self._forget_after_s = forget_after_s
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.RLock()

    @synchronized
    def observe(self, status: JobStatus, service_id: str | None = None) -> None:
        job_id = str(status.job_id)
        previous = self._seen.get(job_id)
        if service_id is None and previous is not None:
            service_id = previous.service_id
        self._seen[job_id] = _Seen(
            status, service_id, self._clock(), status.state.value
        )

    @synchronized
    def refresh(self, service_health: Callable[[str], Health | None]) -> bool:
        """Re-derive stale and departed jobs; returns whether any row changed."""
        now = self._clock()
        changed = False
        for job_id, seen in list(self._seen.items()):
            age = now - seen.last_seen
            stopped = seen.status.state is JobState.STOPPED
            if (stopped and age > self._stopped_linger_s) or age > self._forget_after_s:
                del self._seen[job_id]
                changed = True
                continue
            state = seen.status.state.value
            service_gone = (
                seen.service_id is not None
                and service_health(seen.service_id) is Health.STALE
            )
            if not stopped and (service_gone or age > self._stale_after_s):
                state = STALE
            if state != seen.state:
                seen.state = state
                changed = True
        return changed

    @synchronized
    def active(self, workflow_id: str | None = None) -> list[str]:
        """Ids of jobs that run (not stopped, not stale), optionally of one workflow."""
        return [
            job_id
            for job_id, seen in self._seen.items()
            if seen.state not in (JobState.STOPPED.value, STALE)
            and (workflow_id is None or seen.status.workflow_id == workflow_id)
        ]

    @synchronized
    def workflow_of(self, job_id: str) -> str | None:
        seen = self._seen.get(job_id)
        return None if seen is None else seen.status.workflow_id

    @synchronized
    def rows(self) -> tuple[JobRow, ...]:
        now = self._clock()
        rows = []
        for job_id, seen in sorted(self._seen.items()):
            s = seen.status
            rows.append(
                JobRow(
                    job_id=job_id,
                    source_name=s.job_id.source_name,
                    job_number=str(s.job_id.job_number),
                    workflow_id=s.workflow_id,
                    state=seen.state,
                    start_time_ns=s.start_time,
                    end_time_ns=s.end_time,
                    warning=s.warning,
                    error=s.error,
                    service_id=seen.service_id,
                    age_s=max(0.0, now - seen.last_seen),
                )
            )
        return tuple(rows)
