"""Immutable views of the control plane that every client renders (D3).

The control plane updates its state on a background thread; clients (CLI, console,
plots) read these frozen snapshots instead, each stamped with a ``version`` that
grows on every change, so a reader knows whether to redraw without callbacks and
never shares a mutable object with the pump thread.

Only the standard library is imported here: the CLI and the console import this
module on their start-up paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Health(StrEnum):
    """What an operator needs to know about a service at a glance (console badge)."""

    OK = "OK"
    WARN = "WARN"  # running, but lost data, fell behind, warned or is starting
    ERR = "ERR"  # reported the error state
    STALE = "STALE"  # heartbeats stopped without a goodbye (crash, network)
    DEAD = "DEAD"  # stale for long: presumed gone, listed until it says goodbye
    STOPPING = "STOPPING"  # graceful shutdown has begun
    STOPPED = "STOPPED"  # said goodbye: a graceful shutdown, not a disappearance


@dataclass(frozen=True)
class ServiceRow:
    """One service worker as last seen in its heartbeats."""

    service_id: str  # instrument:service:worker
    instrument: str
    service_name: str
    worker_id: str
    state: str  # ServiceState value as sent
    health: Health
    started_at_ns: int
    last_seen_s: float  # monotonic clock of the client when last heard
    age_s: float  # seconds since the last heartbeat at snapshot time
    job_count: int = 0
    messages_per_s: float | None = None  # None until two heartbeats were seen
    consumer_lag: int | None = None  # None when the service does not report it
    error: str | None = None
    counters: dict[str, int] = field(default_factory=dict)
    reason: str | None = None  # why the health is not OK, in one line
    replaced_by: str | None = None  # a newer worker of the same service runs
    heard_live: bool = True  # False: known only from heartbeats read back


@dataclass(frozen=True)
class JobRow:
    """One job as last seen in its heartbeats (or as staged by this client)."""

    job_id: str  # str(JobId): "source_name:job_number"
    source_name: str
    job_number: str
    workflow_id: str  # "instrument/name/version"
    state: str  # JobState value, or "stale" when its service vanished
    start_time_ns: int | None = None
    end_time_ns: int | None = None
    warning: str | None = None
    error: str | None = None
    service_id: str | None = None  # the service that reports it, when known
    age_s: float = 0.0
    service_warning: str | None = None  # its service's reason for not being OK
    # Started again by its service after a restart (from the commands topic).
    restored: bool = False


# Job states (JobRow.state) of jobs that no longer run: a stop or reset skips them.
ENDED_JOB_STATES = frozenset({"stopped", "stale"})


class CommandOutcome(StrEnum):
    """Where a command stands: waiting, answered (how), or given up on."""

    PENDING = "pending"
    ACK = "ACK"
    ERR = "ERR"
    PARTIAL = "partial"  # some expected answers ACK, others ERR or missing at timeout
    TIMEOUT = "timeout"  # no expected answer arrived in time
    NOT_SENT = "not sent"  # the transport refused it: no service can have seen it


@dataclass(frozen=True)
class CommandRow:
    """A command sent by this client or seen acknowledged on the responses topic."""

    message_id: str
    summary: str  # e.g. "start dummy/panel_0_xy/2 on panel_0"
    outcome: CommandOutcome
    sent_at_s: float | None  # monotonic; None when seen but not sent by us
    expected: int | None  # answers expected (one per source); None: unknown
    answers: tuple[tuple[str, str, str | None], ...] = ()  # (device, ACK|ERR, message)
    job_ids: tuple[str, ...] = ()
    by_us: bool = True  # False: sent by another client, seen on the topics
    # Wire times (ns since the epoch) of the command and of its latest answer:
    # the latency the tracker reports is theirs, as a consumer of both topics
    # would measure it.
    sent_ns: int | None = None
    answered_ns: int | None = None

    @property
    def latency_s(self) -> float | None:
        """From sending to the latest answer, on the wire's clocks."""
        if self.sent_ns is None or self.answered_ns is None:
            return None
        return max(0.0, (self.answered_ns - self.sent_ns) / 1e9)

    @property
    def progress(self) -> str:
        """Answers received over answers expected, e.g. ``1/2`` or ``1/?``."""
        expected = "?" if self.expected is None else str(self.expected)
        return f"{len(self.answers)}/{expected}"

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(f"{d}: {m}" for d, r, m in self.answers if r == "ERR")


@dataclass(frozen=True)
class LagRow:
    """Consumer lag of one topic partition; ``None`` means unknown, never zero."""

    group: str  # the service id when its heartbeats name the group
    topic: str
    partition: int
    offset_lag: int | None
    time_lag_s: float | None
    trend: tuple[float, ...] = ()  # recent offset lags, oldest first
    end_offset: int | None = None  # log-end offset (measured on the broker)
    committed: int | None = None  # the group's committed offset
    peak_lag: int | None = None  # largest offset lag since this client started
    dropped: int | None = None  # messages the service's overload policy skipped
    consumer_group: str | None = None  # the broker's group, when measured there


@dataclass(frozen=True)
class ResultRow:
    """Summary of the latest value of one result stream, cheap to render."""

    key: str  # ResultKey JSON
    workflow_id: str
    job_id: str
    output_name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    unit: str | None
    updated_s: float  # monotonic time of the last update
    summary: dict[str, Any] = field(default_factory=dict)  # e.g. sum, max, value
    history: tuple[
        float, ...
    ] = ()  # recent scalar values (0-d) or sums, for sparklines


@dataclass(frozen=True)
class Notification:
    """A line for the notifications/log screen."""

    at_s: float
    level: str  # "info" | "warning" | "error"
    text: str


@dataclass(frozen=True)
class Snapshot:
    """Everything a client renders, taken at one instant; ``version`` grows on change."""

    version: int
    services: tuple[ServiceRow, ...] = ()
    jobs: tuple[JobRow, ...] = ()
    commands: tuple[CommandRow, ...] = ()
    results: tuple[ResultRow, ...] = ()
    lag: tuple[LagRow, ...] = ()
    notifications: tuple[Notification, ...] = ()

    @property
    def pending_count(self) -> int:
        return sum(1 for c in self.commands if c.outcome is CommandOutcome.PENDING)

    def running_jobs(self, workflow_id: str | None = None) -> tuple[str, ...]:
        """Jobs whose heartbeats say they have not ended (of ``workflow_id``, if
        given): what a stop or reset of a workflow, or of everything, reaches."""
        return tuple(
            j.job_id
            for j in self.jobs
            if j.state not in ENDED_JOB_STATES
            and (workflow_id is None or j.workflow_id == workflow_id)
        )

    def heard_all_jobs(self, namespace: str | None = None) -> bool:
        """A heartbeat of a service (of ``namespace``, if given) and of every job
        the services say they run: only then does "no running jobs" mean none.

        A service's status and its jobs' statuses can arrive in different polls.
        """
        # Beats read back from before this client started may predate a job
        # started a moment ago: only a live beat says how many jobs run now.
        services = {
            s.service_id: s.job_count
            for s in self.services
            if s.heard_live and (namespace is None or s.service_name == namespace)
        }
        if not services:
            return False
        heard = sum(
            1 for j in self.jobs if j.service_id in services and j.state != "stopped"
        )
        return heard >= sum(services.values())
