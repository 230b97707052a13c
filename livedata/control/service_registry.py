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
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.status import ServiceStatus
from ..kafka.lag_report import LAG_STATS_KEY
from .health import RECENT_S, Verdict, derive_health, recent_counts
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
    reason: str | None = None
    # (client time, counters) of the heartbeats of the last minute, oldest first
    history: deque[tuple[float, dict[str, int]]] = field(default_factory=deque)
    heard_live: bool = True  # the last beat was heard live, not read back


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


class ServiceRegistry:
    """Workers by id. A worker is never dropped while it may still run: STALE
    after ``stale_after_intervals`` missed beats, DEAD after ``dead_after_s``,
    and listed until it says goodbye (STOPPED rows leave after
    ``forget_after_s``)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval_s: float = HEARTBEAT_INTERVAL_S,
        stale_after_intervals: float = 3.0,
        dead_after_s: float = 60.0,
        forget_after_s: float = 600.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self.stale_after_s = interval_s * stale_after_intervals
        self.dead_after_s = max(dead_after_s, self.stale_after_s)
        self._forget_after_s = forget_after_s
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.RLock()

    @synchronized
    def observe(self, status: ServiceStatus, sent_at_s: float | None = None) -> None:
        """A heartbeat heard now; ``sent_at_s`` (wall clock) only for one read
        from history, which was heard that long ago."""
        now = self._clock()
        if sent_at_s is not None:
            now -= max(0.0, self._wall_clock() - sent_at_s)
        previous = self._seen.get(status.service_id)
        rate = None
        history: deque[tuple[float, dict[str, int]]] = deque()
        if previous is not None:
            if now < previous.last_seen:  # older than what we know
                return
            rate = previous.rate
            elapsed = now - previous.last_seen
            delta = status.messages_processed - previous.status.messages_processed
            if elapsed > 0 and delta >= 0:
                rate = delta / elapsed
            history = previous.history
        history.append((now, dict(status.counters)))
        while len(history) > 1 and history[1][0] <= now - RECENT_S:
            history.popleft()
        seen = _Seen(status, now, rate, history=history, heard_live=sent_at_s is None)
        self._seen[status.service_id] = seen
        self._judge(seen, self._clock())

    def _recent(self, seen: _Seen) -> dict[str, int]:
        """How the counters grew in the last minute (since the service started,
        when it started less than a minute before its first beat we heard)."""
        oldest_at, oldest = seen.history[0]
        if len(seen.history) == 1 or seen.last_seen - oldest_at < RECENT_S / 2:
            uptime = self._wall_clock() - seen.status.started_at / 1e9
            if uptime < RECENT_S:
                return recent_counts(seen.status.counters, None)
        return recent_counts(seen.status.counters, oldest)

    def _judge(self, seen: _Seen, now: float) -> bool:
        verdict: Verdict = derive_health(
            seen.status,
            age_s=now - seen.last_seen,
            stale_after_s=self.stale_after_s,
            dead_after_s=self.dead_after_s,
            recent=self._recent(seen),
        )
        changed = (verdict.health, verdict.reason) != (seen.health, seen.reason)
        seen.health, seen.reason = verdict.health, verdict.reason
        return changed

    @synchronized
    def refresh(self) -> bool:
        """Re-derive time-dependent health; returns whether any row changed."""
        now = self._clock()
        changed = False
        for service_id, seen in list(self._seen.items()):
            age = now - seen.last_seen
            if age > self._forget_after_s and seen.health is Health.STOPPED:
                del self._seen[service_id]
                changed = True
                continue
            changed |= self._judge(seen, now)
        return changed

    @synchronized
    def reason(self, service_id: str) -> str | None:
        seen = self._seen.get(service_id)
        return None if seen is None else seen.reason

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

    def _replaced_by(self, seen: _Seen) -> str | None:
        """A worker of the same service that started after this one went silent."""
        if seen.health not in (Health.STALE, Health.DEAD):
            return None
        s = seen.status
        silent_since_ns = (self._wall_clock() - (self._clock() - seen.last_seen)) * 1e9
        for other in self._seen.values():
            o = other.status
            if (
                o.instrument == s.instrument
                and o.service_name == s.service_name
                and o.worker_id != s.worker_id
                and other.health in (Health.OK, Health.WARN, Health.ERR)
                and o.started_at >= silent_since_ns - 10e9
            ):
                return o.service_id
        return None

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
                    reason=seen.reason,
                    replaced_by=self._replaced_by(seen),
                    heard_live=seen.heard_live,
                )
            )
        return tuple(rows)
