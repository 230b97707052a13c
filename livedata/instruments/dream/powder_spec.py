"""The dream/powder workflow spec and params (light: pydantic and livedata.core only)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from livedata.core.workflow_spec import (
    AuxInput,
    CoordTemplate,
    OutputTemplate,
    WorkflowSpec,
)
from livedata.workflows.edges import OrderedRange

from . import banks


class ChopperSetting(StrEnum):
    """DREAM chopper configurations whose settings essdiffraction ships."""

    HIGH_FLUX_BC215 = "high_flux_BC215"
    HIGH_FLUX_BC240 = "high_flux_BC240"
    HIGH_RESOLUTION = "high_resolution"


class DspacingEdges(OrderedRange):
    start: float = Field(default=0.4, gt=0.0, le=20.0, description="Å")
    stop: float = Field(default=3.5, gt=0.0, le=20.0, description="Å")
    num_bins: int = Field(default=620, ge=10, le=20_000)


class TwoThetaEdges(OrderedRange):
    start: float = Field(default=0.0, ge=0.0, le=180.0, description="deg")
    stop: float = Field(default=180.0, ge=0.0, le=180.0, description="deg")
    num_bins: int = Field(default=180, ge=1, le=2_000)


class WavelengthRange(OrderedRange):
    """Events outside this wavelength range are masked (frame edges, overlap)."""

    enabled: bool = False
    start: float = Field(default=1.0, gt=0.0, le=20.0, description="Å")
    stop: float = Field(default=4.3, gt=0.0, le=20.0, description="Å")


class PowderParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dspacing_edges: DspacingEdges = Field(default_factory=DspacingEdges)
    two_theta_edges: TwoThetaEdges = Field(default_factory=TwoThetaEdges)
    wavelength_range: WavelengthRange = Field(default_factory=WavelengthRange)
    chopper_setting: ChopperSetting = Field(
        default=ChopperSetting.HIGH_FLUX_BC240,
        description="Chopper configuration the wavelength lookup table is made from",
    )


MONITOR_ROLE = "monitor"

_DESCRIPTION = (
    "Powder diffraction with essdiffraction's DreamPowderWorkflow through "
    "essreduce's StreamProcessor: event_time_offset -> wavelength -> d-spacing and "
    "2theta from the bank geometry, normalised by the integrated cave monitor. "
    "Generated locally, not read from files: the bank's pixel positions, source, "
    "sample and monitor positions come from the registered geometry file (made "
    "from livedata's synthetic DREAM layout when no file is available); the "
    "wavelength lookup table is computed by essreduce's analytical mode from "
    "DREAM's chopper settings (shipped as code); no pixel masks (empty mask file "
    "list); no diffraction calibration (CalibrationData=None: d-spacing from the "
    "nominal geometry); no vanadium run: the I(d) outputs divide by a generated "
    "flat vanadium (1 in every bin), so they equal the monitor-normalised "
    "focussed data; the cave monitor's events are histogrammed in time of "
    "arrival as an NXmonitor histogram would be. Weighting: essdiffraction's "
    "Lorentz correction weights every event by d^4 sin(theta) (GSAS convention, "
    "in Å⁴); a measured vanadium, corrected alike, would cancel it, the flat "
    "one does not, so relative line heights carry that factor. Normalisation: "
    "divided by the sum of the cave monitor's counts (all windows since start, "
    "within the monitor's wavelength range). The per-event steps (wavelength, "
    "d, 2theta, Lorentz weight, histogram) run in livedata's kernel with "
    "essreduce/essdiffraction's tables; the result equals essdiffraction's."
)

_WEIGHTING = "Σ over events of d⁴ sin θ (Lorentz correction) / Σ cave-monitor counts"


def powder_spec(
    source_names: tuple[str, ...] = banks.POWDER_BANK_NAMES,
) -> WorkflowSpec:
    d_coord = {"dspacing": CoordTemplate(("dspacing",), "angstrom", bin_edges=True)}
    d2_coords = {
        **d_coord,
        "two_theta": CoordTemplate(("two_theta",), "rad", bin_edges=True),
    }

    def i_of_d(title: str, unit: str | None, description: str) -> OutputTemplate:
        return OutputTemplate(title, ("dspacing",), unit, (None,), d_coord, description)

    def i_of_d_2theta(title: str, unit: str | None, description: str) -> OutputTemplate:
        return OutputTemplate(
            title,
            ("two_theta", "dspacing"),
            unit,
            (None, None),
            d2_coords,
            description,
        )

    focussed = f"{_WEIGHTING}, in Å⁴ per monitor count."
    normalised = (
        f"{_WEIGHTING}, divided by the flat vanadium in the same unit: "
        "dimensionless, still carrying d⁴ sin θ."
    )

    return WorkflowSpec(
        instrument="dream",
        name="powder",
        namespace="data_reduction",
        title="Powder diffraction I(d)",
        description=_DESCRIPTION,
        group="Reduction",
        source_names=source_names,
        params=PowderParams,
        aux_inputs={
            MONITOR_ROLE: AuxInput(
                title="Normalisation monitor",
                choices=(banks.MONITOR_CAVE,),
                default=banks.MONITOR_CAVE,
                required=True,
                description="Beam monitor whose integrated counts normalise I(d).",
            )
        },
        outputs={
            "i_of_dspacing": i_of_d(
                "I(d), Lorentz-weighted, per monitor count, / flat vanadium",
                None,
                normalised,
            ),
            "i_of_dspacing_two_theta": i_of_d_2theta(
                "I(d, 2theta), Lorentz-weighted, per monitor count, / flat vanadium",
                None,
                normalised,
            ),
            "focussed_dspacing": i_of_d(
                "Focussed d⁴ sin θ-weighted counts per monitor count",
                "angstrom**4",
                focussed,
            ),
            "focussed_dspacing_two_theta": i_of_d_2theta(
                "Focussed d⁴ sin θ-weighted counts per monitor count, by 2theta",
                "angstrom**4",
                focussed,
            ),
        },
    )
