"""Builds commands, registers them as pending, then sends them (B10).

Registration comes first: an answer can arrive on the pump thread before
``send`` returns. A command that cannot be sent resolves as NOT_SENT at once
(a part of one that could not: ERR answers for the devices of that part).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.commands import JobAction, JobCommand, JobSchedule, WorkflowConfig
from ..core.identifiers import JobId, WorkflowId
from ..core.message import Message
from ..core.stream import COMMANDS_STREAM
from ..core.timestamp import Timestamp
from .pending import PendingCommands, summarise
from .snapshots import CommandRow
from .transport import Transport

logger = logging.getLogger(__name__)


class CommandService:
    """Sends start, stop and reset commands, each tracked as pending first."""

    def __init__(
        self,
        transport: Transport,
        pending: PendingCommands,
        *,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._transport = transport
        self._pending = pending
        self._on_change = on_change

    def start_jobs(
        self,
        workflow_id: WorkflowId,
        job_ids: Sequence[JobId],
        *,
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
        schedule: JobSchedule | None = None,
    ) -> CommandRow:
        """One WorkflowConfig per job, sharing one message id; one ACK per source."""
        if not job_ids:
            raise ValueError("no sources to start the workflow on")
        first = WorkflowConfig(
            identifier=workflow_id,
            job_id=job_ids[0],
            schedule=schedule or JobSchedule(),
            aux_source_names=dict(aux_source_names or {}),
            params=dict(params or {}),
        )
        configs = [first] + [
            first.model_copy(update={"job_id": job_id}) for job_id in job_ids[1:]
        ]
        sources = [j.source_name for j in job_ids]
        summary = f"start {workflow_id} on {', '.join(sources)}"
        return self._send(
            first.message_id,
            configs,
            summary,
            expected_devices=sources,
            job_ids=[str(j) for j in job_ids],
        )

    def act_on_jobs(self, action: JobAction, job_ids: Sequence[JobId]) -> CommandRow:
        """One JobCommand per job, sharing one message id; one answer per job."""
        if not job_ids:
            raise ValueError(f"no jobs to {action.value}")
        first = JobCommand(job_id=job_ids[0], action=action)
        commands = [first] + [
            first.model_copy(update={"job_id": job_id}) for job_id in job_ids[1:]
        ]
        names = [str(j) for j in job_ids]
        summary = (
            summarise(first) if len(names) == 1 else f"{action.value} {len(names)} jobs"
        )
        return self._send(
            first.message_id, commands, summary, expected_devices=names, job_ids=names
        )

    def act_broadly(
        self,
        action: JobAction,
        workflow_id: WorkflowId | None,
        *,
        expected_job_ids: Sequence[str] | None,
    ) -> CommandRow:
        """Every job of a workflow (or all jobs when ``workflow_id`` is None).

        ``expected_job_ids`` are the running jobs the client knows will answer;
        ``None`` collects whatever answers arrive before the timeout.
        """
        command = JobCommand(workflow_id=workflow_id, action=action)
        return self._send(
            command.message_id,
            [command],
            summarise(command),
            expected_devices=expected_job_ids or None,
            job_ids=list(expected_job_ids or ()),
        )

    def _send(
        self,
        message_id: str | None,
        commands: Sequence[WorkflowConfig | JobCommand],
        summary: str,
        *,
        expected_devices: Sequence[str] | None,
        job_ids: Sequence[str],
    ) -> CommandRow:
        assert message_id is not None
        row = self._pending.register(
            message_id, summary, expected_devices=expected_devices, job_ids=job_ids
        )
        sent = 0
        try:
            for command in commands:
                self._transport.send(Message(Timestamp.now(), COMMANDS_STREAM, command))
                sent += 1
        except Exception as error:
            reason = str(error).removeprefix("command not sent: ") or repr(error)
            logger.warning("%s: not sent: %s", summary, reason)
            # Commands map to expected answers one to one (a config per source,
            # a job command per job); a broadcast is a single command.
            unsent = (
                None
                if sent == 0 or expected_devices is None
                else list(expected_devices)[sent:]
            )
            row = self._pending.fail(message_id, f"not sent: {reason}", unsent)
        if self._on_change is not None:
            self._on_change()
        return row
