"""Jobs as seen in their heartbeats (B11).

A job's row follows its last status. When its service goes stale (or the job's
own heartbeats stop) the row says ``stale`` rather than pretending the job still
runs; a stopped job is reported once by its service and leaves the table after
a short while, so an operator sees that it stopped.

``refresh`` runs at every tick of the plane with hundreds of jobs, so it derives
only what can have changed: jobs heard since the last refresh, the jobs of a
service that went stale or came back, and, once the clock reaches the earliest
time a silent job could go stale or leave, all of them (which also finds the
next such time).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..core.status import JobState, JobStatus
from .service_registry import synchronized
from .snapshots import ENDED_JOB_STATES, Health, JobRow

STALE = "stale"


@dataclass
class _Seen:
    status: JobStatus
    service_id: str | None
    last_seen: float
    state: str


class JobService:
    """Jobs from heartbeats: one row each, stale when its reports stop."""

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
        self._heard: set[str] = set()  # jobs observed since the last refresh
        self._jobs_of: dict[str, set[str]] = {}  # service id -> its jobs
        self._stale_services: set[str] = set()
        self._next_due = math.inf  # no silent job changes state before this
        self.derived = 0  # job states derived: lets tests see refresh's cost

    @synchronized
    def observe(
        self,
        status: JobStatus,
        service_id: str | None = None,
        sent_at_s: float | None = None,
    ) -> None:
        """A job heartbeat heard now; ``sent_at_s`` (wall clock) only for one
        read from history, which was heard that long ago."""
        job_id = str(status.job_id)
        heard = self._clock()
        if sent_at_s is not None:
            heard -= max(0.0, time.time() - sent_at_s)
        previous = self._seen.get(job_id)
        if previous is not None:
            if heard < previous.last_seen:
                return
            if service_id is None:
                service_id = previous.service_id
            self._unlink(job_id, previous.service_id)
        if service_id is not None:
            self._jobs_of.setdefault(service_id, set()).add(job_id)
        self._seen[job_id] = _Seen(status, service_id, heard, status.state.value)
        self._heard.add(job_id)

    @synchronized
    def refresh(self, service_health: Callable[[str], Health | None]) -> bool:
        """Re-derive stale and departed jobs; returns whether any row changed."""
        now = self._clock()
        gone = (Health.STALE, Health.DEAD)
        stale = {s for s in self._jobs_of if service_health(s) in gone}
        flipped = stale ^ self._stale_services
        self._stale_services = stale
        if now >= self._next_due:
            due: set[str] = set(self._seen)
            self._next_due = math.inf
        else:
            due = self._heard.union(*(self._jobs_of.get(s, ()) for s in flipped))
        self._heard = set()
        changed = False
        for job_id in due:
            seen = self._seen.get(job_id)
            if seen is not None:
                changed |= self._derive(job_id, seen, now)
        return changed

    def _derive(self, job_id: str, seen: _Seen, now: float) -> bool:
        """The job's state from its last status, its age and its service."""
        self.derived += 1
        age = now - seen.last_seen
        stopped = seen.status.state is JobState.STOPPED
        if (stopped and age > self._stopped_linger_s) or age > self._forget_after_s:
            del self._seen[job_id]
            self._unlink(job_id, seen.service_id)
            return True
        if stopped:
            wait = self._stopped_linger_s
        elif age <= self._stale_after_s:
            wait = self._stale_after_s
        else:
            wait = self._forget_after_s
        self._next_due = min(self._next_due, seen.last_seen + wait)
        state = seen.status.state.value
        service_gone = seen.service_id in self._stale_services
        if not stopped and (service_gone or age > self._stale_after_s):
            state = STALE
        if state == seen.state:
            return False
        seen.state = state
        return True

    def _unlink(self, job_id: str, service_id: str | None) -> None:
        jobs = self._jobs_of.get(service_id) if service_id is not None else None
        if jobs is not None:
            jobs.discard(job_id)
            if not jobs:
                del self._jobs_of[service_id]

    @synchronized
    def active(self, workflow_id: str | None = None) -> list[str]:
        """Ids of jobs that run (not stopped, not stale), optionally of one workflow."""
        return [
            job_id
            for job_id, seen in self._seen.items()
            if seen.state not in ENDED_JOB_STATES
            and (workflow_id is None or seen.status.workflow_id == workflow_id)
        ]

    @synchronized
    def rows(
        self, service_warning: Callable[[str], str | None] = lambda _: None
    ) -> tuple[JobRow, ...]:
        """Every job; ``service_warning`` gives why a job's service is not OK."""
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
                    service_warning=(
                        None
                        if seen.service_id is None
                        else service_warning(seen.service_id)
                    ),
                    restored=s.restored,
                )
            )
        return tuple(rows)
