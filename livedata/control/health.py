"""One function decides what a service's health is, and says why in one line.

An operator reads OK as "nothing to do". So a service that runs but lost data,
fell behind the wall clock or skipped input in the last minute is WARN with the
reason, never OK; one that stopped beating is STALE, then DEAD; ERR when it
said so. Everything that makes a service unhealthy goes through
:func:`derive_health`, so new reasons (e.g. a broker the service cannot read)
are one more argument, not a second opinion elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.status import ServiceState, ServiceStatus
from .snapshots import Health

# How far back "recently" reaches for counters (dropped data, skipped input).
RECENT_S = 60.0
# Results later than this behind the wall clock mean the service falls behind.
RESULT_LAG_WARN_S = 5.0
# Stream stats a service publishes about its processing (see core.heartbeat).
RESULT_LAG_KEY = "result_lag_s"
BUSY_KEY = "busy_s"

# Counters that mean data was lost to overload (the queue drops the oldest).
DROPPED_MESSAGES = "queue_dropped_messages"
DROPPED_EVENTS = "queue_dropped_events"
# Counters of input a service skipped as stale or implausible.
SKIPPED_INPUT = ("dropped_absurd_timestamp", "dropped_time_jump")
# Counters of input a service refused as malformed (one per message).
REJECTED_INPUT = "adapt_errors"
# Events a job lost because its required context never came.
LOST_CONTEXT_SUFFIX = ":pending_context"
# Windows with data for a running job, and the results the service published:
# many of the first and none of the second means it works for nothing.
JOB_INPUT_WINDOWS = "job_input_windows"
JOB_RESULTS = "job_results"
SILENT_AFTER_WINDOWS = 10
# Counters of results the sink could not serialise, hand over or deliver.
PUBLISH_FAILURES = ("serialise_errors", "produce_errors", "delivery_errors")


@dataclass(frozen=True)
class Verdict:
    """A health and, unless OK, why (one line)."""

    health: Health
    reason: str | None = None


def _count(n: int) -> str:
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def recent_counts(
    now: Mapping[str, int], before: Mapping[str, int] | None
) -> dict[str, int]:
    """How much each counter grew since ``before`` (all of it when None)."""
    before = before or {}
    return {k: v - before.get(k, 0) for k, v in now.items() if v > before.get(k, 0)}


def _number(value: object) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok and value >= 0 else None  # type: ignore[operator]


def warnings_of(
    status: ServiceStatus,
    recent: Mapping[str, int],
    *,
    result_lag_warn_s: float = RESULT_LAG_WARN_S,
    busy_warn_s: float = RESULT_LAG_WARN_S,
) -> list[str]:
    """Every reason a running service is not simply OK, most serious first."""
    reasons = []
    if status.error:
        reasons.append(status.error)
    dropped = recent.get(DROPPED_MESSAGES, 0)
    if dropped:
        events = recent.get(DROPPED_EVENTS, 0)
        reasons.append(
            f"dropped {_count(dropped)} messages ({_count(events)} events) in the"
            " last minute: input queue full"
        )
    busy = _number(status.stream_stats.get(BUSY_KEY))
    if busy is not None and busy > busy_warn_s:
        reasons.append(f"busy {busy:.0f} s in one processing cycle")
    lag = _number(status.stream_stats.get(RESULT_LAG_KEY))
    if lag is not None and lag > result_lag_warn_s:
        reasons.append(f"results {lag:.1f} s behind the wall clock")
    skipped = sum(recent.get(name, 0) for name in SKIPPED_INPUT)
    if skipped:
        reasons.append(f"skipped {_count(skipped)} stale input messages")
    rejected = recent.get(REJECTED_INPUT, 0)
    if rejected:
        reasons.append(f"rejected {_count(rejected)} malformed input messages")
    lost = sum(n for k, n in recent.items() if k.endswith(LOST_CONTEXT_SUFFIX))
    if lost:
        reasons.append(f"lost {_count(lost)} events waiting for a job's context")
    failed = sum(recent.get(name, 0) for name in PUBLISH_FAILURES)
    if failed:
        reasons.append(f"failed to publish {_count(failed)} messages")
    windows = recent.get(JOB_INPUT_WINDOWS, 0)
    if windows >= SILENT_AFTER_WINDOWS and not recent.get(JOB_RESULTS, 0):
        reasons.append(
            f"published no result for {_count(windows)} windows of its jobs' data"
        )
    return reasons


def derive_health(
    status: ServiceStatus,
    *,
    age_s: float,
    stale_after_s: float,
    dead_after_s: float,
    recent: Mapping[str, int] | None = None,
    extra_warnings: tuple[str, ...] = (),
    result_lag_warn_s: float = RESULT_LAG_WARN_S,
) -> Verdict:
    """A service's health from its last heartbeat, its age, and what its
    counters did in the last minute (``recent``); ``extra_warnings`` are
    reasons the client found itself (e.g. about the broker)."""
    state = status.state
    if state is ServiceState.STOPPED:
        return Verdict(Health.STOPPED)
    if age_s > dead_after_s:
        return Verdict(Health.DEAD, f"no heartbeat for over {dead_after_s:.0f} s")
    if age_s > stale_after_s:
        return Verdict(Health.STALE, f"no heartbeat for over {stale_after_s:.0f} s")
    if state is ServiceState.STOPPING:
        return Verdict(Health.STOPPING)
    if state is ServiceState.ERROR:
        return Verdict(Health.ERR, status.error or "reported the error state")
    if state is ServiceState.STARTING:
        return Verdict(Health.WARN, "starting")
    reasons = [
        *extra_warnings,
        *warnings_of(status, recent or {}, result_lag_warn_s=result_lag_warn_s),
    ]
    if reasons:
        return Verdict(Health.WARN, "; ".join(reasons))
    return Verdict(Health.OK)


# Health that means an operator has something to look at (CLI exit codes).
UNHEALTHY = frozenset({Health.WARN, Health.ERR, Health.STALE, Health.DEAD})
