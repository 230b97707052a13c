"""loki/i_of_q spec and params (light: pydantic and livedata.core only)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from livedata.core.workflow_spec import (
    AuxInput,
    CoordTemplate,
    OutputTemplate,
    WorkflowSpec,
)

from . import banks

INCIDENT_ROLE = "incident_monitor"
TRANSMISSION_ROLE = "transmission_monitor"


class QBinning(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(default=0.005, gt=0.0, description="1/Å")
    stop: float = Field(default=0.5, description="1/Å")
    num_bins: int = Field(default=100, ge=1, le=2000)
    log: bool = Field(default=False, description="logarithmic bins")

    @model_validator(mode="after")
    def _ordered(self):
        if self.stop <= self.start:
            raise ValueError("stop must be greater than start")
        return self


class WavelengthBand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(default=2.0, gt=0.0, description="Å")
    stop: float = Field(default=9.0, description="Å")
    num_bins: int = Field(default=70, ge=1, le=1000)

    @model_validator(mode="after")
    def _ordered(self):
        if self.stop <= self.start:
            raise ValueError("stop must be greater than start")
        return self


class IofQParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q_bins: QBinning = Field(default_factory=QBinning)
    wavelength: WavelengthBand = Field(default_factory=WavelengthBand)
    beam_stop_radius_m: float = Field(
        default=0.03, ge=0.0, description="pixels this close to the beam are masked"
    )
    correct_transmission: bool = Field(
        default=True, description="divide by the sample's transmission T(lambda)"
    )


def iofq_spec() -> WorkflowSpec:
    q = {"Q": CoordTemplate(("Q",), "1/angstrom", bin_edges=True)}
    wl = {"wavelength": CoordTemplate(("wavelength",), "angstrom", bin_edges=True)}
    return WorkflowSpec(
        instrument="loki",
        name="i_of_q",
        namespace="data_reduction",
        title="I(Q)",
        description=(
            "Monitor-normalised I(Q) of one bank: events -> wavelength -> Q with "
            "scippneutron's elastic conversion graph (Q = 4 pi sin(theta)/lambda, "
            "t0 at the pulse start, no chopper), normalised by incident-monitor "
            "flux x pixel solid angle x transmission x direct-beam efficiency "
            "mapped to Q. Generated locally, not read from files: the direct-beam "
            "efficiency (flat 1), the empty-beam monitor ratio (1) and the "
            "beam-stop mask (pixels within beam_stop_radius_m of the beam axis)."
        ),
        group="Reduction",
        source_names=banks.BANK_NAMES,
        params=IofQParams,
        aux_inputs={
            INCIDENT_ROLE: AuxInput(
                "Incident monitor",
                choices=(banks.MONITOR_INCIDENT,),
                default=banks.MONITOR_INCIDENT,
                description="flux normalisation",
            ),
            TRANSMISSION_ROLE: AuxInput(
                "Transmission monitor",
                choices=(banks.MONITOR_TRANSMISSION,),
                default=banks.MONITOR_TRANSMISSION,
                description="sample transmission (ratio to the incident monitor)",
            ),
        },
        outputs={
            "i_of_q": OutputTemplate(
                "I(Q) since start", ("Q",), "dimensionless", (None,), q
            ),
            "i_of_q_current": OutputTemplate(
                "I(Q), latest window", ("Q",), "dimensionless", (None,), q
            ),
            "transmission": OutputTemplate(
                "Sample transmission since start",
                ("wavelength",),
                "dimensionless",
                (None,),
                wl,
            ),
        },
    )
