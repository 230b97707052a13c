"""Histogram edge params shared by detector and monitor views (light: pydantic only)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..core.timestamp import PULSE_PERIOD


class CoordinateMode(StrEnum):
    """Which spectral coordinate events are histogrammed in (E2)."""

    TIME_OF_ARRIVAL = "time_of_arrival"
    TIME_OF_FLIGHT = "time_of_flight"
    WAVELENGTH = "wavelength"


# Powers of ten of seconds and of metres: bounds convert exactly, without scipp.
TIME_UNITS = {"ns": -9, "us": -6, "µs": -6, "ms": -3, "s": 0}
WAVELENGTH_UNITS = {"angstrom": -10, "Å": -10, "nm": -9}

TimeUnit = Literal["ns", "us", "µs", "ms", "s"]
WavelengthUnit = Literal["angstrom", "Å", "nm"]


class OrderedRange(BaseModel):
    """Params with a ``start`` below their ``stop`` (bins, bands, windows); a
    subclass declares both fields with its own bounds and defaults."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _ordered(self):
        if self.stop <= self.start:
            raise ValueError("stop must be greater than start")
        return self


class _Edges(OrderedRange):
    """``num_bins`` uniform bins from ``start`` to ``stop``, both in ``unit``."""

    start: float
    stop: float
    num_bins: int = Field(default=100, ge=1, le=10_000)
    unit: str

    _POWERS: ClassVar[dict[str, int]] = {}

    def bounds_in(self, unit: str) -> tuple[float, float]:
        """``(start, stop)`` converted to ``unit`` (one of the same dimension)."""
        power = self._POWERS[self.unit] - self._POWERS[unit]
        if power >= 0:
            return self.start * 10**power, self.stop * 10**power
        return self.start / 10**-power, self.stop / 10**-power


class TOAEdges(_Edges):
    """Time-of-arrival bins within the pulse (default: one pulse in ms)."""

    start: float = Field(default=0.0, ge=0.0, description="in `unit`")
    stop: float = Field(default=PULSE_PERIOD.ns / 1e6, description="in `unit`")
    unit: TimeUnit = "ms"

    _POWERS: ClassVar[dict[str, int]] = TIME_UNITS


class TOFEdges(_Edges):
    """Time-of-flight bins (source to pixel; may exceed one pulse period)."""

    start: float = Field(default=0.0, ge=0.0, description="in `unit`")
    stop: float = Field(default=PULSE_PERIOD.ns / 1e6, description="in `unit`")
    unit: TimeUnit = "ms"

    _POWERS: ClassVar[dict[str, int]] = TIME_UNITS


class WavelengthEdges(_Edges):
    """Wavelength bins (default in Å)."""

    start: float = Field(default=0.5, gt=0.0, description="in `unit`")
    stop: float = Field(default=10.0, description="in `unit`")
    unit: WavelengthUnit = "angstrom"

    _POWERS: ClassVar[dict[str, int]] = WAVELENGTH_UNITS


def spectral_dim(mode: CoordinateMode) -> str:
    return mode.value
