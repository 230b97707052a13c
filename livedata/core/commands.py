"""Command and acknowledgement models, exactly as on the wire (B10, docs/wire.md)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .identifiers import JobId, WorkflowId
from .validation import validation_problems


class JobSchedule(BaseModel):
    """Data-time window of a job in ns since the epoch; ``None`` means open.

    An empty or reversed window parses (so the owning service can answer ERR
    with ``problem()`` instead of the command vanishing at the wire) but no job
    is started with it.
    """

    start_time: int | None = None
    end_time: int | None = None

    def problem(self) -> str | None:
        """Why this schedule can run no job, or ``None`` if it is fine."""
        start, end = self.start_time, self.end_time
        if start is not None and end is not None and end <= start:
            return f"schedule end_time {end} is not after start_time {start}"
        return None


class WorkflowConfig(BaseModel):
    """Starts one job of one workflow on one source."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["workflow_config"] = "workflow_config"
    identifier: WorkflowId
    message_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    job_id: JobId
    schedule: JobSchedule = Field(default_factory=JobSchedule)
    aux_source_names: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)

    def config_key(self) -> str:
        """Kafka message key: a reader keeps the latest config per key (C3, G5)."""
        return f"{self.identifier}/{self.job_id.source_name}"


class JobAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    RESET = "reset"
    STOP = "stop"


class JobCommand(BaseModel):
    """Acts on one job, every job of a workflow, or all jobs (both ids null)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["job_command"] = "job_command"
    message_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    job_id: JobId | None = None
    workflow_id: WorkflowId | None = None
    action: JobAction

    def config_key(self) -> str:
        if self.job_id is not None:
            return f"job/{self.job_id}"
        if self.workflow_id is not None:
            return f"workflow/{self.workflow_id}"
        return "all"


Command = WorkflowConfig | JobCommand
# A command's ``message_id`` is always a string on the wire (the facility's
# services refuse ``null``); one left out gets a fresh id, as there.
_COMMAND: TypeAdapter[Command] = TypeAdapter(
    Annotated[WorkflowConfig | JobCommand, Field(discriminator="kind")]
)


def parse_command(raw: bytes | str) -> Command:
    """Decode one JSON command; raises ``pydantic.ValidationError`` on bad input."""
    return _COMMAND.validate_json(raw)


@dataclass(frozen=True, slots=True)
class UnreadableCommand:
    """A command that is JSON with a message id but not a valid command.

    Kept (not dropped at the wire) so that the service owning the workflow it
    names can answer ERR with the reason: the sender learns at once what was
    wrong instead of waiting out its timeout.
    """

    message_id: str
    workflow_id: WorkflowId | None
    source_name: str | None
    reason: str


class NullMessageId(ValueError):
    """A command whose ``message_id`` is ``null``: refused as the facility's
    services refuse it, and with no id to answer to, it cannot get an ERR."""

    reason = "command_message_id_null"


def read_command(raw: bytes | str) -> Command | UnreadableCommand:
    """``parse_command``, or what can be read of an invalid one; raises when
    not even a JSON object with a ``message_id`` string arrived
    (:class:`NullMessageId` when it is ``null``)."""
    try:
        return parse_command(raw)
    except ValidationError as error:
        document = json.loads(raw)  # raises on text that is not JSON
        message_id = document.get("message_id") if isinstance(document, dict) else None
        if (
            isinstance(document, dict)
            and "message_id" in document
            and message_id is None
        ):
            raise NullMessageId(
                "message_id is null; a command's message_id must be a string"
            ) from None
        if not isinstance(message_id, str):
            raise
        problem = validation_problems(error, "command", first_only=True)
        return UnreadableCommand(
            message_id=message_id,
            workflow_id=_workflow_id(document),
            source_name=_source_name(document.get("job_id")),
            reason=f"invalid command: {problem}",
        )


def _workflow_id(document: dict[str, Any]) -> WorkflowId | None:
    named = document.get("identifier", document.get("workflow_id"))
    try:
        return WorkflowId.model_validate(named) if named is not None else None
    except ValidationError:
        return None


def _source_name(job_id: Any) -> str | None:
    if isinstance(job_id, dict) and isinstance(job_id.get("source_name"), str):
        return job_id["source_name"]
    return None


class Response(StrEnum):
    ACK = "ACK"
    ERR = "ERR"


class CommandAcknowledgement(BaseModel):
    """The owning service's answer to one command for one device."""

    model_config = ConfigDict(frozen=True)

    message_id: str | None
    device: str
    response: Response
    message: str | None = None
