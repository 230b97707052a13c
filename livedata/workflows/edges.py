"""Histogram edge params shared by detector and monitor views (light: pydantic only)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..core.timestamp import PULSE_PERIOD


class CoordinateMode(StrEnum):
    """Which spectral coordinate events are histogrammed in (E2)."""

    TIME_OF_ARRIVAL = "time_of_arrival"
    TIME_OF_FLIGHT = "time_of_flight"
    WAVELENGTH = "wavelength"


class _Edges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float
    stop: float
    num_bins: int = Field(default=100, ge=1, le=10_000)

    @model_validator(mode="after")
    def _ordered(self):
        if self.stop <= self.start:
            raise ValueError("stop must be greater than start")
        return self


class TOAEdges(_Edges):
    """Time-of-arrival bins in ms within the pulse."""

    start: float = Field(default=0.0, ge=0.0, description="ms")
    stop: float = Field(default=PULSE_PERIOD.ns / 1e6, description="ms")
    unit: str = "ms"


class TOFEdges(_Edges):
    """Time-of-flight bins in ms (source to pixel; may exceed one pulse period)."""

    start: float = Field(default=0.0, ge=0.0, description="ms")
    stop: float = Field(default=PULSE_PERIOD.ns / 1e6, description="ms")
    unit: str = "ms"


class WavelengthEdges(_Edges):
    """Wavelength bins in Å."""

    start: float = Field(default=0.5, gt=0.0, description="Å")
    stop: float = Field(default=10.0, description="Å")
    unit: str = "angstrom"


def spectral_dim(mode: CoordinateMode) -> str:
    return mode.value
