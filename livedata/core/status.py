"""Service and job status models carried in x5f2 heartbeats (B11, docs/wire.md)."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .identifiers import JobId


class StatusCode(IntEnum):
    """NICOS status codes carried in ``status_json["status"]``."""

    OK = 200
    WARNING = 210
    DISABLED = 235
    ERROR = 240
    UNKNOWN = 999


class ServiceState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"  # livedata's addition: a graceful shutdown has begun
    STOPPED = "stopped"
    ERROR = "error"


class JobState(StrEnum):
    SCHEDULED = "scheduled"
    PENDING_CONTEXT = "pending_context"
    ACTIVE = "active"
    FINISHING = "finishing"
    WARNING = "warning"
    ERROR = "error"
    STOPPED = "stopped"


_CODES: dict[str, StatusCode] = {
    "active": StatusCode.OK,
    "finishing": StatusCode.OK,
    "running": StatusCode.OK,
    "warning": StatusCode.WARNING,
    "pending_context": StatusCode.WARNING,
    "scheduled": StatusCode.DISABLED,
    "starting": StatusCode.DISABLED,
    "stopping": StatusCode.DISABLED,
    "stopped": StatusCode.DISABLED,
    "error": StatusCode.ERROR,
}


def status_code(state: str) -> StatusCode:
    return _CODES.get(state, StatusCode.UNKNOWN)


class ServiceStatus(BaseModel):
    """Service-level heartbeat; ``service_id`` is ``instrument:service:worker``."""

    model_config = ConfigDict(frozen=True)

    message_type: Literal["service"] = "service"
    instrument: str
    service_name: str
    worker_id: str
    state: ServiceState
    started_at: int
    active_job_count: int = 0
    error: str | None = None
    batch_interval_s: float = 1.0
    messages_processed: int = 0
    stream_stats: dict[str, Any] = Field(default_factory=dict)
    counters: dict[str, int] = Field(default_factory=dict)

    @property
    def service_id(self) -> str:
        return f"{self.instrument}:{self.service_name}:{self.worker_id}"


class JobStatus(BaseModel):
    """Per-job heartbeat; ``service_id`` is ``source_name:job_number``."""

    model_config = ConfigDict(frozen=True)

    message_type: Literal["job"] = "job"
    state: JobState
    warning: str | None = None
    error: str | None = None
    job_id: JobId
    workflow_id: str
    start_time: int | None = None
    end_time: int | None = None
    # True when the service restarted and started this job again from the
    # commands topic (G5): accumulated data before the restart is gone.
    restored: bool = False

    @property
    def service_id(self) -> str:
        return f"{self.job_id.source_name}:{self.job_id.job_number}"


def status_json(status: ServiceStatus | JobStatus) -> dict[str, Any]:
    """The ``status_json`` document of an x5f2 heartbeat."""
    return {
        "status": int(status_code(status.state.value)),
        "message": status.model_dump(mode="json"),
    }


def parse_status(document: dict[str, Any]) -> ServiceStatus | JobStatus:
    """Inverse of ``status_json``; raises ``pydantic.ValidationError`` on bad input."""
    message = document.get("message", {})
    if message.get("message_type") == "job":
        return JobStatus.model_validate(message)
    return ServiceStatus.model_validate(message)
