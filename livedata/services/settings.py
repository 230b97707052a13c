"""The ``service`` configuration namespace, checked before a service starts.

A typo or a key nothing reads would otherwise be silently ignored (the
service runs with a default the operator did not choose), and a bad value
would fail deep inside start-up; here both are one clear ConfigError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import ConfigError, load_config
from ..core.timestamp import Duration
from ..core.validation import validation_problems


class ServiceSettings(BaseModel):
    """``config/defaults/service.yaml``; the defaults are the shipped values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    batch_length_s: float = Field(1.0, gt=0)
    poll_interval_s: float = Field(0.02, gt=0)
    queue_max_batches: int = Field(100, ge=1)
    queue_max_bytes: int = Field(64 * 1024**2, ge=1)
    circuit_breaker_errors: int = Field(20, ge=1)
    shutdown_timeout_s: float = Field(15.0, gt=0)
    kafka_timeout_s: float = Field(10.0, gt=0)
    restore_jobs_within_s: float = Field(172_800.0, ge=0)

    @property
    def batch_length(self) -> Duration:
        return Duration.from_seconds(self.batch_length_s)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ServiceSettings:
        try:
            return cls.model_validate(dict(values))
        except ValidationError as err:
            problems = validation_problems(err, "service")
            raise ConfigError(f"service settings: {problems}") from None


def load_service_settings(env: str | None = None) -> ServiceSettings:
    return ServiceSettings.from_mapping(load_config("service", env))
