"""The facility's ``dream/powder_reduction`` ids on livedata's dream/powder (heavy).

The facility's params become livedata's pipeline settings (``PowderBins``): bins
in its units and scale, its wavelength range always masking, its instrument
configuration choosing the chopper settings of the lookup table. The
time-of-flight outputs are essdiffraction's: ``IntensityTof`` converts I(d)
with the bank's DIFC (``OutputCalibrationData``: mean Ltotal and 2theta of the
bank); ``focussed_data_tof`` converts the focussed data the same way.
"""

from __future__ import annotations

from typing import NewType

import scipp as sc
from ess.powder.calibration import OutputCalibrationData
from ess.powder.types import (
    FocussedDataDspacing,
    FocussedDataDspacingTwoTheta,
    IntensityDspacing,
    IntensityDspacingTwoTheta,
    IntensityTof,
    SampleRun,
)

from livedata.core.workflow import WorkflowContext
from livedata.workflows.facility.convert import scipp_unit
from livedata.workflows.facility.reduction_params import PowderWorkflowParams
from livedata.workflows.facility.reductions import FacilityOutputs, bin_edges

from .powder import PowderBins, powder_pipeline, powder_stream_workflow
from .powder_facility_spec import (
    CAVE_MONITOR_ROLE,
    FOCUSSED,
    NORMALISED,
    VANADIUM_WARNING,
)
from .wavelength import ChopperSetting

FocussedDataTof = NewType("FocussedDataTof", sc.DataArray)

TARGETS = {
    "focussed_data_dspacing": FocussedDataDspacing[SampleRun],
    "focussed_data_dspacing_two_theta": FocussedDataDspacingTwoTheta[SampleRun],
    "focussed_data_tof": FocussedDataTof,
    "i_of_dspacing": IntensityDspacing[SampleRun],
    "i_of_dspacing_two_theta": IntensityDspacingTwoTheta[SampleRun],
    "i_of_tof": IntensityTof,
}


def focussed_data_tof(
    data: FocussedDataDspacing[SampleRun], calibration: OutputCalibrationData
) -> FocussedDataTof:
    """The focussed data in time of flight, as essdiffraction converts I(d)."""
    return FocussedDataTof(
        data.transform_coords(tof=calibration.d_to_tof_transformer(), keep_inputs=False)
    )


def powder_bins(params: PowderWorkflowParams) -> PowderBins:
    """livedata's pipeline settings for the facility's params."""
    band = params.wavelength_range
    unit = scipp_unit(band.unit)
    low = sc.scalar(band.start, unit=unit).to(unit="angstrom").value
    high = sc.scalar(band.stop, unit=unit).to(unit="angstrom").value
    if high <= low:
        raise ValueError("wavelength_range: stop must be greater than start")
    return PowderBins(
        dspacing=bin_edges("dspacing", params.dspacing_edges),
        two_theta=bin_edges("two_theta", params.two_theta_edges),
        wavelength_keep=(float(low), float(high)),
        setting=ChopperSetting(params.instrument_configuration.value),
    )


def make_powder_reduction(
    context: WorkflowContext, *, vanadium: bool, per_event_kernel: bool = True
) -> FacilityOutputs:
    """One bank's job; the cave monitor enters under the facility's role."""
    params = context.params or PowderWorkflowParams()
    pipeline = powder_pipeline(
        context.source_name, powder_bins(params), per_event_kernel=per_event_kernel
    )
    pipeline.insert(focussed_data_tof)
    names = FOCUSSED + (NORMALISED if vanadium else ())
    inner = powder_stream_workflow(
        pipeline,
        context.source_name,
        {name: TARGETS[name] for name in names},
        CAVE_MONITOR_ROLE,
    )
    return FacilityOutputs(
        inner,
        {name: name for name in names},
        coord_units={
            "dspacing": scipp_unit(params.dspacing_edges.unit),
            "two_theta": params.two_theta_edges.unit,
        },
        config_warning=VANADIUM_WARNING if vanadium else None,
    )
