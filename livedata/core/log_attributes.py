"""Attributes of slow-control log streams: the f144 attribute registry (G8)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LogDataAttributes(BaseModel):
    """Unit, dtype and optional valid range of one f144 log stream.

    Only log streams present in an instrument's registry are preprocessed;
    others are dropped and counted.
    """

    model_config = ConfigDict(frozen=True)

    unit: str | None
    dtype: str = "float64"
    value_min: float | None = None
    value_max: float | None = None
    description: str = ""
