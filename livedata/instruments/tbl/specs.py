"""TBL: description and workflow specs (phase 1: light imports only)."""

from __future__ import annotations

import dataclasses

from pydantic import Field, field_validator

from livedata.core.log_attributes import LogDataAttributes
from livedata.core.workflow_spec import WorkflowRegistry
from livedata.instruments.instrument import Instrument
from livedata.workflows.area_detector_spec import AreaDetectorParams, area_detector_spec
from livedata.workflows.detector_view_spec import detector_view_spec
from livedata.workflows.facility import params as facility_params
from livedata.workflows.facility import specs as facility
from livedata.workflows.facility.wavelength_lut_spec import wavelength_lut_spec
from livedata.workflows.standard_specs import register_monitor_and_log_specs

from . import banks, streams

MULTIBLADE_SCREEN = (
    banks.MULTIBLADE.shape[0] * banks.MULTIBLADE.shape[1],
    banks.MULTIBLADE.shape[2],
)

registry = WorkflowRegistry()


class OrcaParams(AreaDetectorParams):
    """The Orca's 2048 x 2048 frames, binned 4 x 4 unless asked otherwise."""

    downsample: int = Field(
        default=banks.ORCA_DOWNSAMPLE, ge=1, le=64, description="sum NxN blocks"
    )

    @field_validator("downsample")
    @classmethod
    def _divides_the_frame(cls, value: int) -> int:
        if banks.ORCA.shape[0] % value or banks.ORCA.shape[1] % value:
            raise ValueError(f"must divide the frame size {banks.ORCA.shape}")
        return value


_ORCA_DESCRIPTION = (
    "Summed Orca frames (cumulative and latest window). The camera's 2048 x 2048 "
    "pixels are summed in N x N blocks (downsample, default 4: 512 x 512 images); "
    "downsample 1 publishes full frames."
)


def _orca_spec(params: OrcaParams | None = None):
    factor = (params or OrcaParams()).downsample
    return area_detector_spec(
        instrument="tbl",
        name="orca_view",
        source_names=(banks.ORCA.name,),
        shape=(banks.ORCA.shape[0] // factor, banks.ORCA.shape[1] // factor),
        title="Orca camera",
        description=_ORCA_DESCRIPTION,
    )


orca_view = registry.register(
    dataclasses.replace(
        _orca_spec(),
        params=OrcaParams,
        output_templates=lambda params, source: _orca_spec(params).outputs,
    )
)
he3_view = registry.register(
    detector_view_spec(
        instrument="tbl",
        name="he3_tube_pixel",
        source_names=banks.HE3_NAMES,
        title="He3 tubes, tube x pixel",
        screen_dims=("tube", "pixel"),
        screen_shape=banks.HE3_BANKS[0].shape,
        screen_unit=None,
        description="Counts per tube and pixel. Time of flight and wavelength per "
        "pixel from TBL's lookup table (essreduce's analytical mode with no "
        "choppers: no TBL chopper settings ship offline), linearised per pixel.",
    )
)
multiblade_view = registry.register(
    detector_view_spec(
        instrument="tbl",
        name="multiblade_blade_wire_strip",
        source_names=(banks.MULTIBLADE.name,),
        title="Multiblade, (blade, wire) x strip",
        screen_dims=("blade_wire", "strip"),
        screen_shape=MULTIBLADE_SCREEN,
        screen_unit=None,
        description="A row per blade and wire, a column per strip. Time of flight "
        "and wavelength per pixel from TBL's lookup table (no choppers, see the "
        "He3 view).",
    )
)
# The facility's views of TBL (version 1 of its ids), on livedata's views.
he3_detector_view = registry.register(
    facility.detector_view_spec(
        instrument="tbl",
        name="he3_detector_view",
        source_names=banks.HE3_NAMES,
        title="He3 tubes, tube x pixel",
        screen_dims=("tube", "pixel"),
        screen_shape=banks.HE3_BANKS[0].shape,
        screen_unit=None,
    )
)
multiblade_detector_view = registry.register(
    facility.detector_view_spec(
        instrument="tbl",
        name="multiblade_detector_view",
        source_names=(banks.MULTIBLADE.name,),
        title="Multiblade, (blade, wire) x strip",
        screen_dims=("blade_wire", "strip"),
        screen_shape=MULTIBLADE_SCREEN,
        screen_unit=None,
    )
)
IMAGING_VIEWS = {
    banks.NGEM: "ngem_detector_view",
    banks.TIMEPIX3: "tbl_detector_timepix3",
}
imaging_views = {
    bank.name: registry.register(
        facility.detector_view_spec(
            instrument="tbl",
            name=name,
            source_names=(bank.name,),
            title=f"{bank.name.removesuffix('_detector')}, pixel grid",
            screen_dims=bank.dims,
            screen_shape=bank.shape,
            screen_unit=None,
        )
    )
    for bank, name in IMAGING_VIEWS.items()
}
orca_facility = registry.register(
    facility.area_view_spec(
        instrument="tbl",
        name="tbl_area_detector_orca",
        source_names=(banks.ORCA.name,),
        title="Orca camera",
        shape=(
            banks.ORCA.shape[0] // banks.ORCA_DOWNSAMPLE,
            banks.ORCA.shape[1] // banks.ORCA_DOWNSAMPLE,
        ),
    )
)
# The facility's f144 logs; their units are not part of the stream table.
LOG_ATTRIBUTES = {name: LogDataAttributes(unit=None) for name in streams.LOGS}
monitors_and_logs = register_monitor_and_log_specs(
    registry,
    "tbl",
    monitors=tuple(banks.MONITORS),
    monitor_params=facility_params.TOAOnlyMonitorDataParams,
    log_streams=streams.TIMESERIES_SOURCES,
    logs=streams.LOGS,
    log_attributes=LOG_ATTRIBUTES,
)

# The facility's wavelength table: no data input, owned by the timeseries service.
wavelength_lut = registry.register(
    wavelength_lut_spec(
        "tbl",
        "No chopper settings of TBL ship offline: the table is the unchopped "
        "pulse, its wavelengths limited to the band TBL's bandwidth choppers pass.",
    )
)

instrument = Instrument(
    name="tbl",
    title="TBL test beamline",
    workflows=registry,
    detectors={bank.name: bank for bank in banks.EVENT_DETECTORS},
    monitors=dict(banks.MONITORS),
    area_detectors={banks.ORCA.name: banks.ORCA},
    log_attributes=LOG_ATTRIBUTES,
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    default_jobs=(
        ("orca_view", (banks.ORCA.name,)),
        ("he3_tube_pixel", banks.HE3_NAMES),
        ("multiblade_blade_wire_strip", (banks.MULTIBLADE.name,)),
        ("monitor_histogram", tuple(banks.MONITORS)),
        ("timeseries_data", streams.DEMO_LOGS),
    ),
)
