"""The facility's ``dream/powder_reduction`` ids on livedata's dream/powder (light).

Same params (``PowderWorkflowParams``), outputs, sources and aux role as the
facility registers them (``tests/contract/peer/workflows-dream.json``); the
reduction is livedata's dream/powder (essdiffraction with livedata's per-event
kernel, ``powder_facility.py`` adapts the params).
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
from livedata.workflows.facility.reduction_params import PowderWorkflowParams

from . import banks

CAVE_MONITOR_ROLE = "cave_monitor"
FOCUSSED = (
    "focussed_data_dspacing",
    "focussed_data_dspacing_two_theta",
    "focussed_data_tof",
)
NORMALISED = ("i_of_dspacing", "i_of_dspacing_two_theta", "i_of_tof")
VANADIUM_WARNING = (
    "no vanadium run: i_of_dspacing, i_of_dspacing_two_theta and i_of_tof are "
    "divided by a flat vanadium (1 per bin), so they equal the focussed data "
    "(monitor-normalised, still weighted by d^4 sin(theta))"
)

_DESCRIPTION = (
    "The facility's powder reduction of one DREAM bank on livedata's "
    "dream/powder: essdiffraction's DreamPowderWorkflow with livedata's "
    "per-event kernel (event_time_offset -> wavelength -> d-spacing and 2theta "
    "from the bank geometry, Lorentz weight d^4 sin(theta)), normalised by the "
    "integrated cave monitor (all windows since start). Params as the "
    "facility's: d-spacing and 2theta bins (linear or log, in the unit given; "
    "outputs carry that unit), wavelengths outside wavelength_range masked, "
    "instrument_configuration choosing the chopper settings the wavelength "
    "lookup table is made from (essreduce's analytical mode). focussed_data_tof "
    "is focussed_data_dspacing with each d-spacing edge converted to time of "
    "flight by essdiffraction's DIFC of the bank (2 m_n/h x mean Ltotal x "
    "sin(mean 2theta / 2), in us). Generated locally, not read from files: "
    "pixel positions from the registered geometry file, no pixel masks, no "
    "diffraction calibration. Weighting: every event d^4 sin(theta) (Å^4); "
    "normalisation: divided by the cave monitor's counts."
)


def _outputs(params: BaseModel | None, vanadium: bool) -> dict[str, OutputTemplate]:
    given = params if isinstance(params, PowderWorkflowParams) else None
    given = given or PowderWorkflowParams()
    d_unit = scipp_unit(given.dspacing_edges.unit)
    angle = given.two_theta_edges.unit
    d = {"dspacing": CoordTemplate(("dspacing",), d_unit, bin_edges=True)}
    d2 = {**d, "two_theta": CoordTemplate(("two_theta",), angle, bin_edges=True)}
    tof = {"tof": CoordTemplate(("tof",), "us", bin_edges=True)}
    by_d = (("dspacing",), d)
    by_d2 = (("two_theta", "dspacing"), d2)
    by_tof = (("tof",), tof)
    weighted = "Σ d^4 sin(theta) over events / Σ cave-monitor counts, in Å^4"
    flat = "the focussed data divided by a flat vanadium (no vanadium run)"
    rows = [
        ("focussed_data_dspacing", "I(d), focussed", by_d, "angstrom**4", weighted),
        (
            "focussed_data_dspacing_two_theta",
            "I(d, 2theta), focussed",
            by_d2,
            "angstrom**4",
            weighted,
        ),
        (
            "focussed_data_tof",
            "I(tof), focussed",
            by_tof,
            "angstrom**4",
            f"{weighted}; d-spacing converted to time of flight by the bank's DIFC",
        ),
    ]
    if vanadium:
        rows += [
            ("i_of_dspacing", "I(d), / vanadium", by_d, "dimensionless", flat),
            (
                "i_of_dspacing_two_theta",
                "I(d, 2theta), / vanadium",
                by_d2,
                "dimensionless",
                flat,
            ),
            ("i_of_tof", "I(tof), / vanadium", by_tof, "dimensionless", flat),
        ]
    return {
        name: OutputTemplate(title, dims, unit, (None,) * len(dims), coords, text)
        for name, title, (dims, coords), unit, text in rows
    }


def powder_reduction_spec(*, vanadium: bool) -> WorkflowSpec:
    """``dream/powder_reduction/1``, or ``..._with_vanadium/1`` (``vanadium``)."""
    description = _DESCRIPTION
    if vanadium:
        description += (
            " With vanadium: the facility divides by its vanadium run; livedata "
            "has none offline, so the i_of_* outputs divide by a flat vanadium "
            "(1 per bin) and every job says so in its heartbeat warning."
        )
    return WorkflowSpec(
        instrument="dream",
        name="powder_reduction_with_vanadium" if vanadium else "powder_reduction",
        namespace="data_reduction",
        title="Powder reduction (with vanadium)" if vanadium else "Powder reduction",
        description=description,
        group="Reduction",
        source_names=banks.BANK_NAMES,
        params=PowderWorkflowParams,
        aux_inputs={
            CAVE_MONITOR_ROLE: AuxInput(
                title="Cave Monitor",
                choices=(banks.MONITOR_CAVE,),
                default=banks.MONITOR_CAVE,
                required=True,
                description="Beam monitor whose integrated counts normalise I(d).",
            )
        },
        outputs=_outputs(None, vanadium),
        output_templates=lambda params, source: _outputs(params, vanadium),
        facility=True,
    )
