"""Identifiers shared with every peer on the wire: workflow, job and result keys."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class WorkflowId(BaseModel):
    """``{instrument, name, version}``, printed and parsed as ``inst/name/ver``."""

    model_config = ConfigDict(frozen=True)

    instrument: str
    name: str
    version: int = 1

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return cls.parse_str(value).model_dump()
        return value

    @classmethod
    def parse_str(cls, text: str) -> WorkflowId:
        parts = text.strip().split("/")
        if len(parts) != 3 or not all(parts):
            raise ValueError(
                f"workflow id {text!r} is not of the form instrument/name/version"
            )
        instrument, name, version = parts
        try:
            number = int(version)
        except ValueError:
            raise ValueError(
                f"workflow id {text!r}: version must be an integer"
            ) from None
        return cls(instrument=instrument, name=name, version=number)

    def __str__(self) -> str:
        return f"{self.instrument}/{self.name}/{self.version}"


class JobId(BaseModel):
    """One job: the source it processes and a unique job number."""

    model_config = ConfigDict(frozen=True)

    source_name: str
    job_number: uuid.UUID = Field(default_factory=uuid.uuid4)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            source, sep, number = value.rpartition("/")
            if not sep or not source:
                raise ValueError(f"job id {value!r} is not of the form source/uuid")
            return {"source_name": source, "job_number": number}
        return value

    def __str__(self) -> str:
        return f"{self.source_name}/{self.job_number}"


class ResultKey(BaseModel):
    """Names one output of one job; its JSON is the da00 ``source_name`` (G6)."""

    model_config = ConfigDict(frozen=True)

    workflow_id: WorkflowId
    job_id: JobId
    output_name: str

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ResultKey:
        return cls.model_validate_json(text)
