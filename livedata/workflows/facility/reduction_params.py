"""The facility's params of its reductions, field for field (light: pydantic only).

DREAM's powder reduction, LOKI's I(Q) and BIFROST's elastic Q maps, with the
facility's names, nesting, enums, units (``Å`` is U+00C5) and defaults, so both
JSON schemas are the same (``tests/contract/test_peer_workflows.py``). A nested
default is given as a value where the facility's schema states it and as a
factory where its schema has none (LOKI's ``beam_center`` and ``transmission``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .params import (
    ANGSTROM,
    InstrumentConfiguration,
    QEdges,
    Scale,
    WavelengthEdges,
    WavelengthUnit,
    _Model,
)

LengthUnit = Literal["m", "cm", "mm"]
AngleUnit = Literal["deg", "rad"]
QAxis = Literal["Qx", "Qy", "Qz"]
QUnit = Literal["1/\u00c5", "1/nm"]


class DspacingEdges(_Model):
    start: float = 1.0
    stop: float = 10.0
    num_bins: int = Field(default=100, ge=1, le=10_000)
    scale: Scale = Scale.LINEAR
    unit: WavelengthUnit = ANGSTROM


class TwoTheta(_Model):
    start: float = 1.0
    stop: float = 10.0
    num_bins: int = Field(default=100, ge=1, le=10_000)
    scale: Scale = Scale.LINEAR
    unit: AngleUnit = "deg"


class WavelengthRange(_Model):
    """Events outside this range are masked (always on, as at the facility)."""

    start: float = 0.0
    stop: float = 10.0
    unit: WavelengthUnit = ANGSTROM


class PowderWorkflowParams(_Model):
    """DREAM's ``powder_reduction`` and ``powder_reduction_with_vanadium``."""

    dspacing_edges: DspacingEdges = Field(
        default=DspacingEdges(start=0.4, stop=3.5, num_bins=500)
    )
    instrument_configuration: InstrumentConfiguration = Field(
        default=InstrumentConfiguration()
    )
    two_theta_edges: TwoTheta = Field(
        default=TwoTheta(start=0.4, stop=3.1415, num_bins=100, unit="rad")
    )
    wavelength_range: WavelengthRange = Field(
        default=WavelengthRange(start=1.1, stop=4.5)
    )


class BeamCenterXY(_Model):
    """Where the beam crosses the detector, transverse to it."""

    unit: LengthUnit = "m"
    x: float = 0.0
    y: float = 0.0


class TransmissionOptions(_Model):
    """``current_run``: transmission from the run's own monitors; ``constant``:
    no correction (a transmission fraction of 1)."""

    mode: Literal["constant", "current_run"] = "current_run"


class SansWorkflowParams(_Model):
    """LOKI's ``i_of_q``."""

    beam_center: BeamCenterXY = Field(default_factory=BeamCenterXY)
    q_edges: QEdges = Field(default=QEdges(start=0.01, stop=0.3, num_bins=20))
    transmission: TransmissionOptions = Field(default_factory=TransmissionOptions)
    wavelength_edges: WavelengthEdges = Field(
        default=WavelengthEdges(start=1.0, stop=13.0)
    )


class QAxisParams(_Model):
    """One axis of an elastic Q map: a component of Q and its bins."""

    axis: QAxis
    start: float = 1.0
    stop: float = 10.0
    num_bins: int = Field(default=100, ge=1, le=10_000)
    scale: Scale = Scale.LINEAR
    unit: QUnit = "1/\u00c5"


class BifrostElasticQMapParams(_Model):
    axis1: QAxisParams = Field(
        default=QAxisParams(axis="Qx", start=-3.0, stop=3.0, num_bins=100)
    )
    axis2: QAxisParams = Field(
        default=QAxisParams(axis="Qz", start=-3.0, stop=3.0, num_bins=100)
    )


class CustomQAxis(_Model):
    """A direction in Q (normalised by the reduction)."""

    qx: float = 0
    qy: float = 0
    qz: float = 0


class BifrostCustomElasticQMapParams(_Model):
    axis1: CustomQAxis = Field(default=CustomQAxis(qx=1.0, qy=0.0, qz=0.0))
    axis1_edges: QEdges = Field(default=QEdges(start=-3.0, stop=3.0))
    axis2: CustomQAxis = Field(default=CustomQAxis(qx=0.0, qy=0.0, qz=1.0))
    axis2_edges: QEdges = Field(default=QEdges(start=-3.0, stop=3.0))
