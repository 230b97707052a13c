"""BIFROST: description and workflow specs (phase 1: light imports only)."""

from __future__ import annotations

from livedata.config.instrument import Instrument
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.workflow_spec import WorkflowRegistry
from livedata.workflows.detector_view_spec import detector_view_spec
from livedata.workflows.monitor_histogram_spec import monitor_histogram_spec
from livedata.workflows.timeseries_spec import timeseries_spec

from . import banks, streams
from .ratemeter_spec import ratemeter_spec

PIXEL_DOWNSAMPLE = 10
LOGICAL_SCREEN = (
    banks.N_ARC * banks.N_TUBE,
    banks.N_CHANNEL * banks.N_PIXEL // PIXEL_DOWNSAMPLE,
)

registry = WorkflowRegistry()

detector_arc_channel = registry.register(
    detector_view_spec(
        instrument="bifrost",
        name="detector_arc_channel",
        source_names=(banks.UNIFIED.name,),
        title="All triplets, (arc, tube) x (channel, pixel)",
        screen_dims=("arc_tube", "channel_pixel"),
        screen_shape=LOGICAL_SCREEN,
        screen_unit=None,
        description="Logical view of the merged detector: a row per arc and tube, "
        f"a column per channel and {PIXEL_DOWNSAMPLE} pixels. Time of arrival only "
        "(indirect geometry: the analysers fix the final energy, so a t0 = 0 "
        "wavelength would mislead).",
    )
)
detector_ratemeter = registry.register(ratemeter_spec())
monitor_histogram = registry.register(
    monitor_histogram_spec("bifrost", tuple(banks.MONITORS))
)
timeseries_data = registry.register(timeseries_spec("bifrost", tuple(streams.LOG_PVS)))

instrument = Instrument(
    name="bifrost",
    title="BIFROST indirect-geometry spectrometer",
    workflows=registry,
    dev_streams=streams.DEV,
    prod_streams=streams.PROD,
    factories_module="livedata.instruments.bifrost.factories",
    detectors={banks.UNIFIED.name: banks.UNIFIED},
    monitors=dict(banks.MONITORS),
    log_attributes={
        "sample_temperature": LogDataAttributes(
            unit="K", value_min=1.5, value_max=300.0
        ),
        "sample_rotation": LogDataAttributes(
            unit="deg", value_min=-180.0, value_max=180.0
        ),
        "detector_tank_angle": LogDataAttributes(
            unit="deg", value_min=-10.0, value_max=140.0
        ),
    },
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    default_jobs=(
        ("detector_arc_channel", (banks.UNIFIED.name,)),
        ("detector_ratemeter", (banks.UNIFIED.name,)),
        ("monitor_histogram", tuple(banks.MONITORS)),
        ("timeseries_data", tuple(streams.LOG_PVS)),
    ),
)
