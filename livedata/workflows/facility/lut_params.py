"""The facility's ``wavelength_lut`` params, field for field (light: pydantic only).

Names, nesting, enums, units (``μs`` is U+03BC) and defaults are the facility's
``WavelengthLutParams``. The nested models are filled by factories, as there,
so neither JSON schema states a nested default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .params import MICRO_SECONDS, TimeUnit

LengthUnit = Literal["m", "cm", "mm"]
METRES_PER = {"m": 1.0, "cm": 0.01, "mm": 0.001}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LtotalRange(_Model):
    """Flight paths (source to pixel) the table covers."""

    start: float = 5.0
    stop: float = 30.0
    unit: LengthUnit = "m"


class DistanceResolution(_Model):
    value: float = 0.1
    unit: LengthUnit = "m"


class TimeResolution(_Model):
    value: float = 250.0
    unit: TimeUnit = MICRO_SECONDS


class Pulse(_Model):
    """The source's pulses; ``auto_stride`` takes the stride from the choppers."""

    frequency: float = Field(default=14.0, gt=0.0)
    stride: int = Field(default=1, ge=1)
    auto_stride: bool = True


class SourceOffset(_Model):
    """How far downstream of its nominal position the source is taken to be."""

    offset: float = 0.0
    unit: LengthUnit = "m"


class CascadeBands(_Model):
    """Distances (comma-separated; "" for the default) at which the bands are
    given, in ``num_bins`` time bins of one frame."""

    distances: str = ""
    num_bins: int = Field(default=1000, ge=1)
    unit: LengthUnit = "m"


class WavelengthLutParams(_Model):
    distance_range: LtotalRange = Field(
        default_factory=LtotalRange, title="Distance range"
    )
    distance_resolution: DistanceResolution = Field(
        default_factory=DistanceResolution, title="Distance resolution"
    )
    time_resolution: TimeResolution = Field(
        default_factory=TimeResolution, title="Time resolution"
    )
    pulse: Pulse = Field(default_factory=Pulse, title="Source pulse")
    source: SourceOffset = Field(default_factory=SourceOffset, title="Source")
    cascade_bands: CascadeBands = Field(
        default_factory=CascadeBands, title="Chopper cascade bands"
    )


def metres(value: float, unit: str) -> float:
    return value * METRES_PER[unit]


def band_distances_m(params: WavelengthLutParams) -> tuple[float, ...] | None:
    """The requested band distances in metres; ``None`` for the default.

    Raises ``ValueError`` naming the text that is not a number.
    """
    text = params.cascade_bands.distances.strip()
    if not text:
        return None
    out = []
    for item in text.split(","):
        try:
            out.append(metres(float(item), params.cascade_bands.unit))
        except ValueError:
            raise ValueError(
                f"cascade_bands.distances: {item.strip()!r} is not a number"
            ) from None
    return tuple(out)
