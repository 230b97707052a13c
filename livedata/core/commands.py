"""Command and acknowledgement models, exactly as on the wire (B10, WIRE.md)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from .identifiers import JobId, WorkflowId


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
    message_id: str | None = Field(default_factory=lambda: str(uuid.uuid4()))
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
    message_id: str | None = Field(default_factory=lambda: str(uuid.uuid4()))
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
_COMMAND: TypeAdapter[Command] = TypeAdapter(
    Annotated[WorkflowConfig | JobCommand, Field(discriminator="kind")]
)


def parse_command(raw: bytes | str) -> Command:
    """Decode one JSON command; raises ``pydantic.ValidationError`` on bad input."""
    return _COMMAND.validate_json(raw)


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
