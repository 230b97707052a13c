"""loki/i_of_q spec and params (light: pydantic and livedata.core only)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from livedata.core.workflow_spec import (
    AuxInput,
    CoordTemplate,
    OutputTemplate,
    WorkflowSpec,
)
from livedata.workflows.edges import OrderedRange

from . import banks

INCIDENT_ROLE = "incident_monitor"
TRANSMISSION_ROLE = "transmission_monitor"
CARRIAGE_ROLE = "detector_carriage"


class QBinning(OrderedRange):
    start: float = Field(default=0.005, gt=0.0, description="1/Å")
    stop: float = Field(default=0.5, description="1/Å")
    num_bins: int = Field(default=100, ge=1, le=2000)
    log: bool = Field(default=False, description="logarithmic bins")


class WavelengthBand(OrderedRange):
    start: float = Field(default=2.0, gt=0.0, description="Å")
    stop: float = Field(default=9.0, description="Å")
    num_bins: int = Field(default=70, ge=1, le=1000)


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
            "Bank, monitors, source and sample are read from the registered "
            "geometry file (made from livedata's synthetic LOKI layout when none "
            "is available) with essreduce's loaders and folded by esssans's "
            "DetectorBankSizes; the rear bank moves with the detector_carriage "
            "log (its distance from the sample; the job waits for a value). "
            "Generated locally, not read from files: the wavelength lookup table "
            "(essreduce's analytical mode with no choppers, since no LOKI chopper "
            "settings ship offline: the ESS pulse over the flight path, "
            "wavelengths limited to 2-9 Å as bandwidth choppers would); the solid "
            "angle of flat straw-wide pixels; a flat direct-beam function (1); "
            "empty-beam monitors in the ratio 1, so the sample run's own monitors "
            "give the transmission; the beam-stop mask (pixels within "
            "beam_stop_radius_m of the beam axis); a zero beam-centre offset. The "
            "latest-window I(Q) uses the window's counts and incident monitor "
            "with the cumulative transmission. Weighting: every unmasked event "
            "counts 1 in the numerator; normalisation: the denominator is the sum "
            "over pixels and wavelength bins of incident-monitor counts x "
            "transmission x direct beam x solid angle, per Q bin (dimensionless "
            "ratio). Wavelengths come from a table built from the real ESS pulse "
            "(2.86 ms about the mean emission time). The per-event steps "
            "(wavelength, Q, numerator histogram) run in livedata's kernel with "
            "essreduce/esssans's tables; the result equals esssans's."
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
            CARRIAGE_ROLE: AuxInput(
                "Detector carriage",
                choices=(banks.CARRIAGE_LOG,),
                default=banks.CARRIAGE_LOG,
                required=True,
                description="rear-bank distance from the sample (m); context",
            ),
        },
        outputs={
            "i_of_q": OutputTemplate(
                "I(Q) since start",
                ("Q",),
                "dimensionless",
                (None,),
                q,
                "counts / (monitor x transmission x direct beam x solid angle), "
                "all windows since start",
            ),
            "i_of_q_current": OutputTemplate(
                "I(Q), latest window",
                ("Q",),
                "dimensionless",
                (None,),
                q,
                "the latest window's counts / (its incident monitor x cumulative "
                "transmission x direct beam x solid angle)",
            ),
            "transmission": OutputTemplate(
                "Sample transmission since start",
                ("wavelength",),
                "dimensionless",
                (None,),
                wl,
                "transmission-monitor / incident-monitor counts per wavelength bin "
                "(empty-beam ratio 1)",
            ),
            "counts_q": OutputTemplate(
                "Counts in Q since start, NOT normalised",
                ("Q",),
                "counts",
                (None,),
                q,
                "the I(Q) numerator: unmasked events in the wavelength band, 1 "
                "each; published alone while a monitor has delivered nothing "
                "(the monitors are optional)",
            ),
        },
    )
