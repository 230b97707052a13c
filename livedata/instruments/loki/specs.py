"""LOKI: description and workflow specs (phase 1: light imports only)."""

from __future__ import annotations

from livedata.core.log_attributes import LogDataAttributes
from livedata.core.workflow_spec import WorkflowRegistry, own_version
from livedata.instruments.instrument import Instrument
from livedata.workflows.detector_view_spec import detector_view_spec
from livedata.workflows.facility import params as facility_params
from livedata.workflows.facility import specs as facility
from livedata.workflows.facility.wavelength_lut_spec import wavelength_lut_spec
from livedata.workflows.standard_specs import register_monitor_and_log_specs

from . import banks, streams
from .iofq_facility_spec import iofq_facility_spec
from .iofq_spec import iofq_spec

XY_SCREEN = (64, 64)

registry = WorkflowRegistry()

detector_xy = registry.register(
    detector_view_spec(
        instrument="loki",
        name="detector_xy",
        source_names=banks.BANK_NAMES,
        title="Detector bank, xy plane",
        screen_shape=XY_SCREEN,
        description="Pixels of one bank projected onto the xy plane, with "
        "pixel-noise replicas. Time of flight and wavelength per pixel from "
        "LOKI's lookup table (essreduce's analytical mode with no choppers: no "
        "LOKI chopper settings ship offline), linearised per pixel.",
    )
)
detector_xy_projection = registry.register(
    facility.detector_view_spec(
        instrument="loki",
        name="detector_xy_projection",
        source_names=banks.BANK_NAMES,
        title="Detector bank, xy plane",
        screen_shape=XY_SCREEN,
    )
)
rear_tube_pixel = registry.register(
    detector_view_spec(
        instrument="loki",
        name="rear_tube_pixel",
        source_names=(banks.REAR.name,),
        title="Rear bank, tube x pixel",
        screen_dims=("tube", "pixel"),
        screen_shape=(banks.REAR.shape[1], banks.REAR.shape[3]),
        screen_unit=None,
        description="Logical view of the rear bank: counts per tube and pixel, "
        "summed over its four layers and seven straws.",
    )
)
tube_view = registry.register(
    facility.detector_view_spec(
        instrument="loki",
        name="tube_view",
        source_names=banks.BANK_NAMES,
        title="Detector bank, tube x pixel",
        screens={
            bank.name: (("tube", "pixel"), (bank.shape[1], bank.shape[3]), None)
            for bank in banks.BANKS
        },
        description="The facility's logical view of a bank: counts per tube and "
        "pixel along the straw, summed over its four layers and seven straws.",
    )
)
monitor_counts_per_pixel = registry.register(
    facility.detector_view_spec(
        instrument="loki",
        name="monitor_counts_per_pixel",
        source_names=(banks.MONITOR_TRANSMISSION,),
        title="Transmission monitor, counts per pixel",
        screen_dims=banks.MONITOR_PIXELS.dims,
        screen_shape=banks.MONITOR_PIXELS.shape,
        screen_unit=None,
        roi=False,
        namespace="monitor_data",
        description="The facility's image of the pixelated transmission monitor: "
        "counts per pixel from the pixel ids its events carry (16 x 16), with "
        "its spectrum (wavelength from the monitor's distance).",
    )
)
# The facility's f144 logs; their units are not part of the stream table, but
# the carriage's (the rear bank's distance) is known.
LOG_ATTRIBUTES = {
    **{name: LogDataAttributes(unit=None) for name in streams.LOGS},
    banks.CARRIAGE_LOG: LogDataAttributes(unit="m", value_min=4.0, value_max=10.0),
}
monitors_and_logs = register_monitor_and_log_specs(
    registry,
    "loki",
    monitors=tuple(banks.MONITORS),
    monitor_params=facility_params.MonitorDataParams,
    log_streams=streams.TIMESERIES_SOURCES,
    logs=streams.LOGS,
    log_attributes=LOG_ATTRIBUTES,
)
i_of_q = registry.register(own_version(iofq_spec()))
# The facility's I(Q) (version 1 of its id) on livedata's (registered after it:
# the name alone still finds livedata's own).
i_of_q_facility = registry.register(iofq_facility_spec())

# The facility's wavelength table: no data input, owned by the timeseries service.
wavelength_lut = registry.register(
    wavelength_lut_spec(
        "loki",
        "No chopper settings of LOKI ship offline: the table is the unchopped "
        "pulse, its wavelengths limited to the band LOKI's bandwidth choppers pass.",
    )
)

instrument = Instrument(
    name="loki",
    title="LOKI small-angle neutron scattering",
    workflows=registry,
    detectors={bank.name: bank for bank in banks.BANKS},
    monitors=dict(banks.MONITORS),
    log_attributes=LOG_ATTRIBUTES,
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    default_jobs=(
        ("detector_xy", banks.BANK_NAMES),
        ("monitor_histogram", tuple(banks.MONITORS)),
        ("timeseries_data", streams.DEMO_LOGS),
        ("i_of_q", (banks.REAR.name,)),
    ),
)
