"""Commands in flight and their answers (B10): ACK, ERR, partial or timeout.

Services answer per device: a WorkflowConfig per source, a JobCommand per job it
affects, and nothing when a command affects none of their jobs. So a client
counts the answers it expects and expires the rest. When it cannot know how many
answers will come (a workflow-wide or global command for jobs it has not seen),
it collects whatever arrives until the timeout.

The tracker shares its condition variable with the control plane, so ``wait``
blocks a CLI thread while the pump thread keeps delivering answers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..core.commands import CommandAcknowledgement, JobCommand, WorkflowConfig
from .snapshots import CommandOutcome, CommandRow

DEFAULT_TIMEOUT_S = 30.0  # what the peer dashboard waits (docs/wire.md)


def summarise(command: WorkflowConfig | JobCommand) -> str:
    """One line naming what a command does, for tables and logs."""
    if isinstance(command, WorkflowConfig):
        return f"start {command.identifier} on {command.job_id.source_name}"
    action = command.action.value
    if command.job_id is not None:
        return f"{action} {command.job_id}"
    if command.workflow_id is not None:
        return f"{action} all jobs of {command.workflow_id}"
    return f"{action} all jobs"


@dataclass
class _Entry:
    message_id: str
    summary: str
    sent_at: float | None
    deadline: float
    expected: list[str] | None  # None: cannot know, take what arrives in time
    job_ids: list[str] = field(default_factory=list)
    answers: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    outcome: CommandOutcome = CommandOutcome.PENDING
    sent_ns: int | None = None  # wire time of the command
    seen_on_wire: bool = False  # sent_ns is the command's record time
    answered_ns: int | None = None  # wire time of the latest answer

    def row(self) -> CommandRow:
        return CommandRow(
            message_id=self.message_id,
            summary=self.summary,
            outcome=self.outcome,
            sent_at_s=self.sent_at,
            expected=len(self.expected) if self.expected is not None else None,
            answers=tuple((d, r, m) for d, (r, m) in self.answers.items()),
            job_ids=tuple(self.job_ids),
            by_us=self.sent_at is not None,
            sent_ns=self.sent_ns,
            answered_ns=self.answered_ns,
        )


def _verdict(responses: Sequence[str]) -> CommandOutcome:
    if all(r == "ACK" for r in responses):
        return CommandOutcome.ACK
    if all(r == "ERR" for r in responses):
        return CommandOutcome.ERR
    return CommandOutcome.PARTIAL


def _outcome(entry: _Entry, final: bool) -> CommandOutcome:
    if entry.expected is not None and entry.expected:
        got = [entry.answers[d][0] for d in entry.expected if d in entry.answers]
        if len(got) == len(entry.expected):
            return _verdict(got)
        if not final:
            return CommandOutcome.PENDING
        if not got:
            return CommandOutcome.TIMEOUT
        return CommandOutcome.PARTIAL if "ACK" in got else CommandOutcome.ERR
    got = [r for r, _ in entry.answers.values()]
    if not final and (entry.sent_at is not None or not got):
        return CommandOutcome.PENDING
    return _verdict(got) if got else CommandOutcome.TIMEOUT


class PendingCommands:
    """Commands in flight, resolved by their answers or by the timeout."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        condition: threading.Condition | None = None,
        history: int = 200,
    ) -> None:
        self._clock = clock
        self._timeout_s = timeout_s
        self._cond = condition if condition is not None else threading.Condition()
        self._history = history
        self._entries: dict[str, _Entry] = {}
        # Answers read from before this client started, by message id: a
        # command of another client seen afterwards takes them (its answers
        # may precede our position on the responses topic).
        self._early: dict[str, list[tuple[CommandAcknowledgement, int | None]]] = {}

    def register(
        self,
        message_id: str,
        summary: str,
        *,
        expected_devices: Sequence[str] | None,
        job_ids: Sequence[str] = (),
        sent_ns: int | None = None,
    ) -> CommandRow:
        """Track a command this client is about to send.

        ``expected_devices`` are the ``device`` values of the answers to wait for;
        ``None`` means unknown (collect answers until the timeout).
        """
        with self._cond:
            entry = _Entry(
                message_id=message_id,
                summary=summary,
                sent_at=self._clock(),
                deadline=self._clock() + self._timeout_s,
                expected=list(expected_devices)
                if expected_devices is not None
                else None,
                job_ids=list(job_ids),
                sent_ns=sent_ns if sent_ns is not None else time.time_ns(),
            )
            self._entries[message_id] = entry
            self._trim()
            return entry.row()

    def fail(
        self, message_id: str, reason: str, devices: Sequence[str] | None = None
    ) -> CommandRow:
        """Part of a command (the answers of ``devices``) or all of it (None) was
        not sent. All of it resolves at once as NOT_SENT, not ERR: no service
        answered, so a script must not take it for a rejection. Devices whose
        part was not sent get an ERR answer from ``client``; the rest of the
        command still waits for its answers."""
        with self._cond:
            entry = self._entries[message_id]
            if devices is None:
                entry.answers["client"] = ("ERR", reason)
                entry.outcome = CommandOutcome.NOT_SENT
            else:
                for device in devices:
                    entry.answers[device] = ("ERR", reason)
                self._resolve(entry, final=False)
            self._cond.notify_all()
            return entry.row()

    def remember_early(
        self, ack: CommandAcknowledgement, at_ns: int | None = None
    ) -> None:
        """An answer from before this client started: kept (bounded) for a
        command of another client seen later, never tracked on its own."""
        if ack.message_id is None:
            return
        with self._cond:
            self._early.setdefault(ack.message_id, []).append((ack, at_ns))
            while len(self._early) > 4 * self._history:
                del self._early[next(iter(self._early))]

    def observe_command(
        self, command: WorkflowConfig | JobCommand, sent_ns: int | None = None
    ) -> bool:
        """A command seen on the commands topic; tracked if another client sent
        it. ``sent_ns`` (its wire time) sets its deadline: a command seen late
        is not given longer, and a timeout means no answer came in time."""
        message_id = command.message_id
        if message_id is None:
            return False
        with self._cond:
            entry = self._entries.get(message_id)
            if entry is not None and entry.sent_at is not None:
                if sent_ns is not None and not entry.seen_on_wire:
                    entry.sent_ns = sent_ns  # the wire's time, as for answers
                    entry.seen_on_wire = True
                return False  # our own, already tracked
            if entry is None:
                late_s = 0.0
                if sent_ns is not None:
                    late_s = min(max(0.0, (time.time_ns() - sent_ns) / 1e9), 5.0)
                entry = _Entry(
                    message_id=message_id,
                    summary=summarise(command),
                    sent_at=None,
                    deadline=self._clock() + self._timeout_s - late_s,
                    expected=None if self._is_broadcast(command) else [],
                    sent_ns=sent_ns,
                )
                self._entries[message_id] = entry
                self._trim()
            elif entry.sent_ns is None:
                entry.sent_ns = sent_ns
            elif entry.expected is None and not self._is_broadcast(command):
                # its answers arrived first: now we know what it was
                entry.summary = summarise(command)
                entry.expected = []
            if isinstance(command, WorkflowConfig):
                entry.expected = (entry.expected or []) + [command.job_id.source_name]
                entry.job_ids.append(str(command.job_id))
                if len(entry.expected) > 1:
                    entry.summary = (
                        f"start {command.identifier} on {', '.join(entry.expected)}"
                    )
            elif command.job_id is not None:
                entry.expected = [str(command.job_id)]
                entry.job_ids = [str(command.job_id)]
            for ack, at_ns in self._early.pop(message_id, ()):
                self._record(entry, ack, at_ns)
            self._resolve(entry, final=False)
            return True

    @staticmethod
    def _is_broadcast(command: WorkflowConfig | JobCommand) -> bool:
        return isinstance(command, JobCommand) and command.job_id is None

    @staticmethod
    def _record(entry: _Entry, ack: CommandAcknowledgement, at_ns: int | None) -> None:
        entry.answers[ack.device] = (ack.response.value, ack.message)
        if at_ns is not None and (
            entry.answered_ns is None or at_ns > entry.answered_ns
        ):
            entry.answered_ns = at_ns

    def answer(self, ack: CommandAcknowledgement, at_ns: int | None = None) -> bool:
        """Record one answer (``at_ns``: its wire time); returns whether
        anything changed."""
        if ack.message_id is None:
            return False
        with self._cond:
            entry = self._entries.get(ack.message_id)
            if entry is None:
                entry = _Entry(
                    message_id=ack.message_id,
                    summary="(sent by another client)",
                    sent_at=None,
                    deadline=self._clock() + self._timeout_s,
                    expected=None,
                )
                self._entries[ack.message_id] = entry
                self._trim()
            self._record(entry, ack, at_ns)
            if entry.outcome is CommandOutcome.PENDING or entry.sent_at is None:
                self._resolve(entry, final=False)
            return True

    def expire(self) -> bool:
        """Resolve every command past its deadline; returns whether any was."""
        now = self._clock()
        changed = False
        with self._cond:
            for entry in self._entries.values():
                if entry.outcome is CommandOutcome.PENDING and now >= entry.deadline:
                    self._resolve(entry, final=True)
                    changed = True
        return changed

    def finish(self, message_id: str) -> CommandRow:
        """Resolve now with what has arrived (a caller stopped waiting)."""
        with self._cond:
            entry = self._entries[message_id]
            if entry.outcome is CommandOutcome.PENDING:
                self._resolve(entry, final=True)
            return entry.row()

    def wait(self, message_id: str, timeout: float) -> CommandRow:
        """Block until the command resolves; at ``timeout`` s resolve it as it is."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if message_id not in self._entries:
                raise KeyError(f"unknown command {message_id!r}")
            while self._entries[message_id].outcome is CommandOutcome.PENDING:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return self.finish(message_id)
                self._cond.wait(remaining)
            return self._entries[message_id].row()

    def row(self, message_id: str) -> CommandRow | None:
        with self._cond:
            entry = self._entries.get(message_id)
            return None if entry is None else entry.row()

    def rows(self) -> tuple[CommandRow, ...]:
        with self._cond:
            return tuple(e.row() for e in self._entries.values())

    def _resolve(self, entry: _Entry, final: bool) -> None:
        outcome = _outcome(entry, final)
        if outcome is not entry.outcome:
            entry.outcome = outcome
            self._cond.notify_all()

    def _trim(self) -> None:
        excess = len(self._entries) - self._history
        for message_id in list(self._entries):
            if excess <= 0:
                break
            if self._entries[message_id].outcome is not CommandOutcome.PENDING:
                del self._entries[message_id]
                excess -= 1
