"""The facility's ``loki/i_of_q/1`` on livedata's LOKI I(Q) (light).

Same params (``SansWorkflowParams``), outputs, sources and aux roles as the
facility registers them (``tests/contract/peer/workflows-loki.json``); the
reduction is livedata's loki/i_of_q (esssans with livedata's per-event kernel;
``iofq_facility.py`` adapts the params).
"""

from __future__ import annotations

from pydantic import BaseModel

from livedata.core.workflow_spec import (
    AuxInput,
    CoordTemplate,
    OutputTemplate,
    WorkflowSpec,
)
from livedata.workflows.facility.convert import scipp_unit
from livedata.workflows.facility.reduction_params import SansWorkflowParams

from . import banks
from .iofq_spec import INCIDENT_ROLE, TRANSMISSION_ROLE

# The rear bank's distance from the sample in the geometry file: the facility's
# beam centre (x, y) is where the beam crosses the detector plane there.
BEAM_CENTER_Z_M = banks.NOMINAL_CARRIAGE_M

_DESCRIPTION = (
    "The facility's I(Q) of one LOKI bank on livedata's loki/i_of_q: esssans's "
    "LokiWorkflow with livedata's per-event kernel, I(Q) = counts / (incident "
    "monitor x transmission x direct beam x pixel solid angle) since start, "
    "summed over the wavelength bins. Params as the facility's: Q and "
    "wavelength bins (linear or log, in the unit given; outputs carry that "
    "unit); transmission 'current_run' from the run's own transmission / "
    "incident monitor counts (transmission_fraction), 'constant' no correction "
    "(transmission_fraction 1); beam_center (x, y) the point where the beam "
    "crosses the plane of the rear bank's geometry-file position "
    f"({BEAM_CENTER_Z_M} m from the sample), which esssans takes as the beam "
    "direction. Every bank stays where the geometry file puts it: this id has "
    "no detector_carriage input (livedata's loki/i_of_q/2 follows the "
    "carriage). Generated locally, not read from files: the wavelength lookup "
    "table (no LOKI chopper settings offline), flat-pixel solid angles, a flat "
    "direct beam, empty-beam monitors in the ratio 1, a beam-stop mask of "
    "pixels within 0.03 m of the beam axis. Weighting: every unmasked event "
    "counts 1; normalisation: the denominator is the sum over pixels and "
    "wavelength bins of incident-monitor counts x transmission x direct beam x "
    "solid angle, per Q bin (dimensionless)."
)


def _outputs(params: BaseModel | None) -> dict[str, OutputTemplate]:
    given = params if isinstance(params, SansWorkflowParams) else None
    given = given or SansWorkflowParams()
    q_unit = scipp_unit(given.q_edges.unit)
    wl_unit = scipp_unit(given.wavelength_edges.unit)
    q = {"Q": CoordTemplate(("Q",), q_unit, bin_edges=True)}
    wl = {"wavelength": CoordTemplate(("wavelength",), wl_unit, bin_edges=True)}
    return {
        "i_of_q": OutputTemplate(
            "I(Q) since start",
            ("Q",),
            "dimensionless",
            (None,),
            q,
            "counts / (monitor x transmission x direct beam x solid angle), all "
            "windows since start",
        ),
        "transmission_fraction": OutputTemplate(
            "Sample transmission since start",
            ("wavelength",),
            "dimensionless",
            (None,),
            wl,
            "transmission-monitor / incident-monitor counts per wavelength bin "
            "(mode current_run); 1 (mode constant)",
        ),
    }


def iofq_facility_spec() -> WorkflowSpec:
    return WorkflowSpec(
        instrument="loki",
        name="i_of_q",
        namespace="data_reduction",
        title="I(Q)",
        description=_DESCRIPTION,
        group="Reduction",
        source_names=banks.BANK_NAMES,
        params=SansWorkflowParams,
        aux_inputs={
            INCIDENT_ROLE: AuxInput(
                "Incident Monitor",
                choices=(banks.MONITOR_INCIDENT,),
                default=banks.MONITOR_INCIDENT,
                description="flux normalisation",
            ),
            TRANSMISSION_ROLE: AuxInput(
                "Transmission Monitor",
                choices=(banks.MONITOR_TRANSMISSION,),
                default=banks.MONITOR_TRANSMISSION,
                description="sample transmission (ratio to the incident monitor)",
            ),
        },
        outputs=_outputs(None),
        output_templates=lambda params, source: _outputs(params),
        facility=True,
    )
