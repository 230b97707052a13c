"""The facility's ``loki/i_of_q/1`` on livedata's LOKI I(Q) (heavy).

The facility's params become livedata's pipeline settings (``IofQSettings``):
bins in its units and scale, its transmission mode (``constant``: no
correction, as there), its beam centre as esssans's ``BeamCenter``. No bank
follows the carriage log here: the facility's id has no such input.
"""

from __future__ import annotations

import scipp as sc

from livedata.core.workflow import WorkflowContext
from livedata.workflows.facility.convert import scipp_unit
from livedata.workflows.facility.reduction_params import SansWorkflowParams
from livedata.workflows.facility.reductions import FacilityOutputs, bin_edges

from . import banks
from .iofq import IofQSettings, make_iofq_workflow
from .iofq_facility_spec import BEAM_CENTER_Z_M
from .iofq_spec import TRANSMISSION_ROLE, IofQParams

OUTPUTS = {"i_of_q": "i_of_q", "transmission_fraction": "transmission"}


def _beam_center(params: SansWorkflowParams) -> tuple[sc.Variable, str | None]:
    """esssans's ``BeamCenter`` and what the job says about it (``None`` for the
    nominal beam axis)."""
    c = params.beam_center
    metres = sc.scalar(1.0, unit=c.unit).to(unit="m").value
    x, y = c.x * metres, c.y * metres
    if x == 0.0 and y == 0.0:
        return sc.vector([0.0, 0.0, 0.0], unit="m"), None
    note = (
        f"beam_center ({c.x}, {c.y}) {c.unit} is taken as where the beam crosses "
        f"the plane {BEAM_CENTER_Z_M} m from the sample (the rear bank's "
        "geometry-file position): the incident beam is tilted through it"
    )
    return sc.vector([x, y, BEAM_CENTER_Z_M], unit="m"), note


def _band_note(wavelength: sc.Variable) -> str | None:
    low, high = banks.WAVELENGTH_BAND
    edges = wavelength.to(unit="angstrom").values
    if edges[0] >= low and edges[-1] <= high:
        return None
    return (
        f"wavelength bins outside {low}-{high} Å are masked: livedata's generated "
        "LOKI lookup table (no chopper settings offline) gives no wavelength "
        "outside that band"
    )


def iofq_settings(params: SansWorkflowParams) -> tuple[IofQSettings, str | None]:
    """livedata's pipeline settings for the facility's params, and what the job
    says it does in place of what they ask."""
    beam_center, centre_note = _beam_center(params)
    wavelength = bin_edges("wavelength", params.wavelength_edges)
    notes = [n for n in (_band_note(wavelength), centre_note) if n]
    settings = IofQSettings(
        wavelength=wavelength,
        q=bin_edges("Q", params.q_edges),
        beam_stop_radius_m=IofQParams().beam_stop_radius_m,
        correct_transmission=params.transmission.mode == "current_run",
        beam_center=beam_center,
        follow_carriage=False,
        wavelength_band=banks.WAVELENGTH_BAND,
    )
    return settings, "; ".join(notes) or None


def make_facility_iofq(
    context: WorkflowContext, *, per_event_kernel: bool = True
) -> FacilityOutputs:
    params = context.params or SansWorkflowParams()
    settings, note = iofq_settings(params)
    inner = make_iofq_workflow(
        context.source_name, settings, per_event_kernel=per_event_kernel
    )
    return FacilityOutputs(
        inner,
        OUTPUTS,
        coord_units={
            "Q": scipp_unit(params.q_edges.unit),
            "wavelength": scipp_unit(params.wavelength_edges.unit),
        },
        drop_inputs=() if settings.correct_transmission else (TRANSMISSION_ROLE,),
        config_warning=note,
    )
