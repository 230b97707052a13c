"""Status heartbeats every 2 s of wall clock (B11, G4).

The only place besides logging where a service looks at the wall clock: a
heartbeat says the process is alive, which data time cannot tell.

What a heartbeat says about the input streams (e.g. the consumer lag) comes from
a :data:`StreamStats` callable handed in by whoever owns the input: the core
knows neither Kafka nor how lag is measured.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .message import Message
from .metrics import Counters
from .status import JobStatus, ServiceState, ServiceStatus
from .stream import STATUS_STREAM
from .timestamp import Duration, Timestamp

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = Duration.from_seconds(2)

# Returns the ``stream_stats`` of the next heartbeat (JSON-able); called on the
# processing thread, so it must not block.
StreamStats = Callable[[], Mapping[str, Any]]


@dataclass(frozen=True)
class ServiceInfo:
    """Who is beating: ``service_id`` is ``instrument:service_name:worker_id``."""

    instrument: str
    service_name: str
    worker_id: str
    batch_interval_s: float = 1.0


class JobStatusSource(Protocol):
    """What the heartbeat reads from the job manager."""

    @property
    def active_job_count(self) -> int: ...

    def job_statuses(self) -> list[JobStatus]: ...


class HeartbeatPublisher:
    """Decides when a heartbeat is due and builds its messages.

    The first heartbeat is due at once; later ones ``interval`` after the last.
    """

    def __init__(
        self,
        info: ServiceInfo,
        jobs: JobStatusSource,
        counters: Counters,
        wall_clock: Callable[[], Timestamp] = Timestamp.now,
        interval: Duration = HEARTBEAT_INTERVAL,
        stream_stats: StreamStats | None = None,
    ) -> None:
        self._info = info
        self._stream_stats = stream_stats
        self._jobs = jobs
        self._counters = counters
        self._clock = wall_clock
        self._interval = interval
        self._started_at = wall_clock()
        self._last: Timestamp | None = None
        # The job statuses of the last full beat, for beats sent while the
        # processing thread is busy (the job manager is not thread-safe).
        self._job_statuses: list[JobStatus] = []
        self._active_jobs = 0
        self._lock = threading.Lock()

    def is_due(self) -> bool:
        return self._last is None or self._clock() - self._last >= self._interval

    def maybe_beat(
        self, state: ServiceState, error: str | None = None
    ) -> list[Message[Any]]:
        """The heartbeat messages if one is due, else nothing."""
        return self.beat(state, error) if self.is_due() else []

    def beat(
        self,
        state: ServiceState,
        error: str | None = None,
        extra_stats: Mapping[str, Any] | None = None,
    ) -> list[Message[Any]]:
        """One service status and one status per job, now (processing thread)."""
        jobs = self._jobs.job_statuses()
        with self._lock:
            self._job_statuses = jobs
            self._active_jobs = self._jobs.active_job_count
        return self._beat(state, error, extra_stats)

    def beat_while_busy(
        self, state: ServiceState, extra_stats: Mapping[str, Any]
    ) -> list[Message[Any]]:
        """A beat from another thread while processing is busy: the job
        statuses are those of the last full beat."""
        return self._beat(state, None, extra_stats)

    def _beat(
        self,
        state: ServiceState,
        error: str | None,
        extra_stats: Mapping[str, Any] | None,
    ) -> list[Message[Any]]:
        now = self._clock()
        with self._lock:
            self._last = now
            jobs, active = list(self._job_statuses), self._active_jobs
        stream_stats = {**self._read_stream_stats(), **(extra_stats or {})}
        counters = self._counters.snapshot()
        service = ServiceStatus(
            instrument=self._info.instrument,
            service_name=self._info.service_name,
            worker_id=self._info.worker_id,
            state=state,
            started_at=self._started_at.ns,
            active_job_count=active,
            error=error,
            batch_interval_s=self._info.batch_interval_s,
            messages_processed=counters.get("messages_processed", 0),
            stream_stats=stream_stats,
            counters=counters,
        )
        messages: list[Message[Any]] = [Message(now, STATUS_STREAM, service)]
        messages.extend(Message(now, STATUS_STREAM, job) for job in jobs)
        return messages

    def _read_stream_stats(self) -> dict[str, Any]:
        """The provider's stats; a failing provider must not stop the heartbeat."""
        if self._stream_stats is None:
            return {}
        try:
            return dict(self._stream_stats())
        except Exception as error:
            self._counters.increment("stream_stats_errors")
            if self._counters.get("stream_stats_errors") == 1:
                logger.warning("reading stream stats failed: %r", error)
            return {}
