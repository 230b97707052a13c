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
            "esssans's LOKI reduction (ess.loki.LokiWorkflow) of one bank: "
            "events -> wavelength -> Q (Q = 4 pi sin(theta)/lambda, no gravity "
            "correction), I(Q) = counts / (incident monitor x transmission x "
            "direct beam x pixel solid angle), summed over the wavelength band. "
            "Generated locally, not read from files: the wavelength lookup table "
            "(lambda = h t / (m_n L), t0 at the pulse start, no choppers); pixel "
            "positions, monitor, source and sample positions from the synthetic "
            "layout; the solid angle of its flat pixels; a flat direct-beam "
            "function (1); empty-beam monitors in the ratio 1, so the sample "
            "run's own monitors give the transmission; the beam-stop mask "
            "(pixels within beam_stop_radius_m of the beam axis); a zero "
            "beam-centre offset. The latest-window I(Q) uses the window's counts "
            "and incident monitor with the cumulative transmission."
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
