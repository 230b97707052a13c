"""A deterministic, clock-driven ControlApi for console tests and the load benchmark.

Tests feed it heartbeats, results and lag, and move its clock; commands are
acknowledged when the clock passes their ``ack_delay_s`` (or rejected when told
to), so every screen can be exercised without Kafka and without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from livedata.control.snapshots import (
    CommandOutcome,
    CommandRow,
    Health,
    JobRow,
    LagRow,
    Notification,
    ResultRow,
    ServiceRow,
    Snapshot,
)

_HEALTH_BY_STATE = {
    "starting": Health.WARN,
    "running": Health.OK,
    "stopping": Health.STOPPING,
    "stopped": Health.STOPPED,
    "error": Health.ERR,
}


class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@dataclass
class _Service:
    row: ServiceRow
    last_seen_s: float


@dataclass
class _Pending:
    row: CommandRow
    due_s: float
    kind: str  # start | stop | reset
    workflow_id: str = ""
    reject: str | None = None
    jobs: list[JobRow] = field(default_factory=list)


class FakePlane:
    """Implements ``livedata.control.api.ControlApi`` in memory."""

    def __init__(
        self,
        instrument: str = "dummy",
        *,
        clock: FakeClock | None = None,
        stale_after_s: float = 6.0,
        ack_delay_s: float = 1.0,
        workflows: Mapping[str, Any] | None = None,
        started_at_ns: int = 1_700_000_000_000_000_000,
    ) -> None:
        self.instrument = instrument
        self.clock = clock or FakeClock()
        self.stale_after_s = stale_after_s
        self.ack_delay_s = ack_delay_s
        self._workflows = dict(workflows or {})  # workflow id -> WorkflowSpec
        self._started_at_ns = started_at_ns
        self._cond = threading.Condition()
        self._version = 1
        self._services: dict[str, _Service] = {}
        self._jobs: dict[str, JobRow] = {}
        self._commands: dict[str, CommandRow] = {}
        self._pending: dict[str, _Pending] = {}
        self._results: dict[str, ResultRow] = {}
        self._lag: dict[tuple[str, str, int], LagRow] = {}
        self._notes: list[Notification] = []
        self._counter = 0
        self._reject_next: str | None = None
        self.sent: list[CommandRow] = []  # every command the console sent
        self.snapshot_calls = 0
        self.waited_on_main_thread = False  # the console must never do this
        self.closed = False

    # -- ControlApi ---------------------------------------------------------
    @property
    def version(self) -> int:
        return self._version

    def snapshot(self) -> Snapshot:
        with self._cond:
            self.snapshot_calls += 1
            now = self.clock()
            services = tuple(
                replace(s.row, age_s=round(now - s.last_seen_s, 3))
                for s in self._services.values()
            )
            return Snapshot(
                version=self._version,
                services=services,
                jobs=tuple(self._jobs.values()),
                commands=tuple(self._commands.values()),
                results=tuple(self._results.values()),
                lag=tuple(self._lag.values()),
                notifications=tuple(self._notes),
            )

    def start_job(
        self,
        workflow_id: str,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
        start_time_ns: int | None = None,
        end_time_ns: int | None = None,
    ) -> CommandRow:
        spec = self._workflows.get(workflow_id)
        if self._workflows and spec is None:
            raise ValueError(f"unknown workflow {workflow_id}")
        if spec is not None:
            unknown = set(source_names) - set(spec.source_names)
            if unknown:
                raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))}")
            spec.validate_params(params or {})
        if not source_names:
            raise ValueError("no source names given")
        with self._cond:
            jobs = []
            for source in source_names:
                self._counter += 1
                number = f"{self._counter:08x}-0000-4000-8000-000000000000"
                jobs.append(
                    JobRow(
                        job_id=f"{source}/{number}",
                        source_name=source,
                        job_number=number,
                        workflow_id=workflow_id,
                        state="scheduled",
                        start_time_ns=start_time_ns,
                        end_time_ns=end_time_ns,
                    )
                )
            name = workflow_id.split("/")[1] if "/" in workflow_id else workflow_id
            row = self._send(
                "start",
                f"start {name} on {', '.join(source_names)}",
                len(source_names),
                tuple(j.job_id for j in jobs),
            )
            self._pending[row.message_id].jobs = jobs
            self._pending[row.message_id].workflow_id = workflow_id
            return row

    def stop_jobs(self, job_ids: Sequence[str]) -> CommandRow:
        with self._cond:
            return self._send("stop", f"stop {len(job_ids)} job(s)", 1, tuple(job_ids))

    def reset_jobs(self, job_ids: Sequence[str]) -> CommandRow:
        with self._cond:
            return self._send(
                "reset", f"reset {len(job_ids)} job(s)", 1, tuple(job_ids)
            )

    def wait(self, message_id: str, timeout: float) -> CommandRow:
        if threading.current_thread() is threading.main_thread():
            self.waited_on_main_thread = True
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                row = self._commands[message_id]
                left = deadline - time.monotonic()
                if row.outcome is not CommandOutcome.PENDING or left <= 0:
                    return row
                self._cond.wait(left)

    def close(self) -> None:
        self.closed = True

    # -- feeding it (tests, benchmark) ---------------------------------------
    def reject_next(self, reason: str) -> None:
        """The next command is answered ERR with ``reason``."""
        self._reject_next = reason

    def heartbeat(
        self,
        service: str,
        worker: str = "0",
        *,
        state: str = "running",
        job_count: int = 0,
        messages_per_s: float | None = None,
        consumer_lag: int | None = None,
        error: str | None = None,
    ) -> None:
        with self._cond:
            sid = f"{self.instrument}:{service}:{worker}"
            now = self.clock()
            row = ServiceRow(
                service_id=sid,
                instrument=self.instrument,
                service_name=service,
                worker_id=worker,
                state=state,
                health=_HEALTH_BY_STATE.get(state, Health.WARN),
                started_at_ns=self._started_at_ns,
                last_seen_s=now,
                age_s=0.0,
                job_count=job_count,
                messages_per_s=messages_per_s,
                consumer_lag=consumer_lag,
                error=error,
            )
            self._services[sid] = _Service(row, now)
            self._bump()

    def advance(self, seconds: float) -> None:
        """Move the clock: answer due commands, mark silent services STALE."""
        with self._cond:
            self.clock.now += seconds
            now = self.clock()
            for message_id, pending in list(self._pending.items()):
                if now >= pending.due_s:
                    self._resolve(message_id, pending)
            for svc in self._services.values():
                silent = now - svc.last_seen_s > self.stale_after_s
                live = svc.row.health not in (Health.STOPPED, Health.STALE)
                if silent and live:
                    svc.row = replace(svc.row, health=Health.STALE)
                    self._note("warning", f"{svc.row.service_id} went silent")
            self._bump()

    def set_job(self, job: JobRow) -> None:
        with self._cond:
            self._jobs[job.job_id] = job
            self._bump()

    def set_result(self, row: ResultRow) -> None:
        with self._cond:
            self._results[row.key] = row
            self._bump()

    def set_lag(self, row: LagRow) -> None:
        with self._cond:
            self._lag[(row.group, row.topic, row.partition)] = row
            self._bump()

    def notify(self, level: str, text: str) -> None:
        with self._cond:
            self._note(level, text)
            self._bump()

    # -- internals ----------------------------------------------------------
    def _bump(self) -> None:
        self._version += 1
        self._cond.notify_all()

    def _note(self, level: str, text: str) -> None:
        self._notes.append(Notification(self.clock(), level, text))

    def _send(
        self, kind: str, summary: str, expected: int, job_ids: tuple[str, ...]
    ) -> CommandRow:
        self._counter += 1
        row = CommandRow(
            message_id=f"msg-{self._counter:04d}",
            summary=summary,
            outcome=CommandOutcome.PENDING,
            sent_at_s=self.clock(),
            expected=expected,
            job_ids=job_ids,
        )
        self._commands[row.message_id] = row
        self._pending[row.message_id] = _Pending(
            row, self.clock() + self.ack_delay_s, kind, reject=self._reject_next
        )
        self._reject_next = None
        self.sent.append(row)
        self._bump()
        return row

    def _resolve(self, message_id: str, pending: _Pending) -> None:
        del self._pending[message_id]
        response = "ERR" if pending.reject else "ACK"
        answers = tuple(
            (f"{self.instrument}:worker", response, pending.reject)
            for _ in range(pending.row.expected)
        )
        outcome = CommandOutcome.ERR if pending.reject else CommandOutcome.ACK
        self._commands[message_id] = replace(
            pending.row, outcome=outcome, answers=answers
        )
        if pending.reject:
            self._note("error", f"{pending.row.summary}: {pending.reject}")
            return
        if pending.kind == "start":
            for job in pending.jobs:
                self._jobs[job.job_id] = replace(job, state="active")
        elif pending.kind == "stop":
            for job_id in pending.row.job_ids:
                if job_id in self._jobs:
                    self._jobs[job_id] = replace(self._jobs[job_id], state="stopped")
