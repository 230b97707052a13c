"""Service workers as seen in their heartbeats (B11, G4).

Tells a graceful shutdown (``stopping`` then ``stopped``) from a disappearance
(heartbeats stop without a goodbye: STALE after a few missed intervals). Times
are the client's own monotonic clock, never the service's, so clock skew
between hosts cannot make a healthy service look stale.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.status import ServiceState, ServiceStatus
from ..kafka.lag_report import LAG_STATS_KEY
from .snapshots import Health, ServiceRow

HEARTBEAT_INTERVAL_S = 2.0


def synchronized[F: Callable[..., Any]](method: F) -> F:
    """Run a method under ``self._lock``: the pump writes while clients read."""

    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked  # type: ignore[return-value]


@dataclass
class _Seen:
    status: ServiceStatus
    last_seen: float
    rate: float | None = None  # messages per second between the last two beats
    health: Health = Health.OK


def total_consumer_lag(stream_stats: Mapping[str, Any]) -> int | None:
    """Messages behind over all partitions a service reports; None when it
    reports none or every partition is unknown (unknown is never 0)."""
    per_partition = stream_stats.get(LAG_STATS_KEY)
    if not isinstance(per_partition, Mapping):
        return None
    known = [
        int(lag)
        for lag in per_partition.values()
        if isinstance(lag, int) and not isinstance(lag, bool) and lag >= 0
    ]
    return sum(known) if known else None


def _health_of(status: ServiceStatus) -> Health:
    match status.state:
        case ServiceState.RUNNING:
            return Health.WARN if status.error else Health.OK
        case ServiceState.STARTING:
            return Health.WARN
        case ServiceState.STOPPING:
            return Health.STOPPING
        case ServiceState.STOPPED:
            return Health.STOPPED
        case _:
            return Health.ERR


class ServiceRegistry:
    """Service workers from heartbeats: health, rate, stale or gracefully gone."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval_s: float = HEARTBEAT_INTERVAL_S,
        stale_after_intervals: float = 3.0,
        forget_after_s: float = 600.0,
    ) -> None:
        self._clock = clock
        self.stale_after_s = interval_s * stale_after_intervals
        self._forget_after_s = forget_after_s
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.RLock()

    @synchronized
    def observe(self, status: ServiceStatus) -> None:
        now = self._clock()
        previous = self._seen.get(status.service_id)
        rate = None
        if previous is not None:
            rate = previous.rate
            elapsed = now - previous.last_seen
            delta = status.messages_processed - previous.status.messages_processed
            if elapsed > 0 and delta >= 0:
                rate = delta / elapsed
        self._seen[status.service_id] = _Seen(status, now, rate, _health_of(status))

    @synchronized
    def refresh(self) -> bool:
        """Re-derive time-dependent health; returns whether any row changed."""
        now = self._clock()
        changed = False
        for service_id, seen in list(self._seen.items()):
            age = now - seen.last_seen
            if age > self._forget_after_s and seen.health in (
                Health.STALE,
                Health.STOPPED,
            ):
                del self._seen[service_id]
                changed = True
                continue
            health = _health_of(seen.status)
            if health is not Health.STOPPED and age > self.stale_after_s:
                health = Health.STALE
            if health is not seen.health:
                seen.health = health
                changed = True
        return changed

    @synchronized
    def health(self, service_id: str) -> Health | None:
        seen = self._seen.get(service_id)
        return None if seen is None else seen.health

    @synchronized
    def latest_of(self, service_name: str) -> str | None:
        """The id of the most recently heard worker of a service."""
        best: _Seen | None = None
        for seen in self._seen.values():
            if seen.status.service_name == service_name and (
                best is None or seen.last_seen >= best.last_seen
            ):
                best = seen
        return None if best is None else best.status.service_id

    @synchronized
    def running(self) -> list[str]:
        """Ids of services that can answer commands (not stale, not stopped)."""
        return [
            sid
            for sid, seen in self._seen.items()
            if seen.health in (Health.OK, Health.WARN)
        ]

    @synchronized
    def rows(self) -> tuple[ServiceRow, ...]:
        now = self._clock()
        rows = []
        for seen in sorted(self._seen.values(), key=lambda s: s.status.service_id):
            s = seen.status
            rows.append(
                ServiceRow(
                    service_id=s.service_id,
                    instrument=s.instrument,
                    service_name=s.service_name,
                    worker_id=s.worker_id,
                    state=s.state.value,
                    health=seen.health,
                    started_at_ns=s.started_at,
                    last_seen_s=seen.last_seen,
                    age_s=max(0.0, now - seen.last_seen),
                    job_count=s.active_job_count,
                    messages_per_s=seen.rate,
                    consumer_lag=total_consumer_lag(s.stream_stats),
                    error=s.error,
                    counters=dict(s.counters),
                )
            )
        return tuple(rows)
