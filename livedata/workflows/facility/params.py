"""The facility's params models, field for field (light: pydantic only).

Units are spelled as the facility spells them: ``μs`` is U+03BC (GREEK SMALL
LETTER MU), ``Å`` is U+00C5. Unknown fields are refused here (``extra="forbid"``)
so a typo in livedata's own CLI is caught; services parse leniently
(:mod:`livedata.core.lenient_params`) and ignore them, as the facility does.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MICRO_SECONDS = "\u03bcs"
ANGSTROM = "\u00c5"

TimeUnit = Literal["ns", "us", "\u03bcs", "ms", "s"]
WavelengthUnit = Literal["\u00c5", "nm"]
PULSE_MS = 71.43  # the facility's default stop of time-of-arrival edges


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(StrEnum):
    LINEAR = "linear"
    LOG = "log"


class CoordinateModeSettings(_Model):
    mode: Literal["toa", "wavelength"] = "toa"


class TOAOnlyCoordinateModeSettings(_Model):
    mode: Literal["toa", "wavelength"] = "toa"


class TOAEdges(_Model):
    start: float = 1.0
    stop: float = 10.0
    num_bins: int = Field(default=100, ge=1, le=10_000)
    scale: Scale = Scale.LINEAR
    unit: TimeUnit = "ms"


class TOARange(_Model):
    enabled: bool = False
    start: float = 0.0
    stop: float = 10.0
    unit: TimeUnit = MICRO_SECONDS


class WavelengthEdges(_Model):
    start: float = 1.0
    stop: float = 10.0
    num_bins: int = Field(default=100, ge=1, le=10_000)
    scale: Scale = Scale.LINEAR
    unit: WavelengthUnit = ANGSTROM


class WavelengthRangeFilter(_Model):
    enabled: bool = False
    start: float = 0.0
    stop: float = 10.0
    unit: WavelengthUnit = ANGSTROM


class PixelWeighting(_Model):
    enabled: bool = False
    method: Literal["pixel_number"] = "pixel_number"


class InstrumentConfiguration(_Model):
    value: Literal["high_flux_BC215", "high_flux_BC240", "high_resolution"] = (
        "high_flux_BC240"
    )


# Nested defaults are given as values (not factories) where the facility's schema
# states them, so both JSON schemas carry the same ``default``s.


class TOAOnlyMonitorDataParams(_Model):
    coordinate_mode: TOAOnlyCoordinateModeSettings = Field(
        default_factory=TOAOnlyCoordinateModeSettings
    )
    toa_edges: TOAEdges = Field(default=TOAEdges(start=0.0, stop=PULSE_MS))
    toa_range: TOARange = Field(default=TOARange())


class MonitorDataParams(_Model):
    coordinate_mode: CoordinateModeSettings = Field(
        default_factory=CoordinateModeSettings
    )
    toa_edges: TOAEdges = Field(default=TOAEdges(start=0.0, stop=PULSE_MS))
    toa_range: TOARange = Field(default=TOARange())
    wavelength_edges: WavelengthEdges = Field(default=WavelengthEdges())
    wavelength_range: WavelengthRangeFilter = Field(default=WavelengthRangeFilter())


class DreamMonitorDataParams(MonitorDataParams):
    instrument_configuration: InstrumentConfiguration = Field(
        default_factory=InstrumentConfiguration
    )


class DetectorViewParams(_Model):
    coordinate_mode: CoordinateModeSettings = Field(
        default_factory=CoordinateModeSettings
    )
    pixel_weighting: PixelWeighting = Field(default=PixelWeighting())
    toa_edges: TOAEdges = Field(default=TOAEdges(start=0.0, stop=PULSE_MS))
    toa_range: TOARange = Field(default=TOARange())
    wavelength_edges: WavelengthEdges = Field(default=WavelengthEdges())
    wavelength_range: WavelengthRangeFilter = Field(default=WavelengthRangeFilter())


class DreamDetectorViewParams(DetectorViewParams):
    instrument_configuration: InstrumentConfiguration = Field(
        default_factory=InstrumentConfiguration
    )


class BifrostSpectrumParams(_Model):
    pixels_per_tube: Literal[1, 2, 4, 5, 10, 20, 25, 50, 100] = 10


class DetectorViewWithSpectrumParams(DetectorViewParams):
    spectrum_params: BifrostSpectrumParams = Field(
        default_factory=BifrostSpectrumParams
    )


MonitorParams = TOAOnlyMonitorDataParams | MonitorDataParams


ArcEnergy = Literal["2.7 meV", "3.2 meV", "3.8 meV", "4.4 meV", "5.0 meV"]


class DetectorRatemeterRegionParams(_Model):
    arc: ArcEnergy = "5.0 meV"
    pixel_start: int = Field(default=0, ge=0, le=899)
    pixel_stop: int = Field(default=900, ge=1, le=900)


class DetectorRatemeterParams(_Model):
    region: DetectorRatemeterRegionParams = Field(
        default_factory=DetectorRatemeterRegionParams
    )


QUnit = Literal["1/\u00c5", "1/nm"]
EnergyUnit = Literal["meV", "\u03bceV"]


class QEdges(_Model):
    start: float = 1.0
    stop: float = 10.0
    num_bins: int = Field(default=100, ge=1, le=10_000)
    scale: Scale = Scale.LINEAR
    unit: QUnit = "1/\u00c5"


class EnergyEdges(_Model):
    start: float = 1.0
    stop: float = 10.0
    num_bins: int = Field(default=100, ge=1, le=10_000)
    scale: Scale = Scale.LINEAR
    unit: EnergyUnit = "meV"


class BifrostQMapParams(_Model):
    q_edges: QEdges = Field(default=QEdges(start=0.5, stop=3.0))
    energy_edges: EnergyEdges = Field(default=EnergyEdges(start=-1.0, stop=1.0))
