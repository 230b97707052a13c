"""TBL: description and workflow specs (phase 1: light imports only)."""

from __future__ import annotations

from livedata.config.instrument import Instrument
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.workflow_spec import WorkflowRegistry
from livedata.workflows.area_detector_spec import area_detector_spec
from livedata.workflows.detector_view_spec import detector_view_spec
from livedata.workflows.monitor_histogram_spec import monitor_histogram_spec
from livedata.workflows.timeseries_spec import timeseries_spec

from . import banks, streams

MULTIBLADE_SCREEN = (
    banks.MULTIBLADE.shape[0] * banks.MULTIBLADE.shape[1],
    banks.MULTIBLADE.shape[2],
)

registry = WorkflowRegistry()

orca_view = registry.register(
    area_detector_spec(
        instrument="tbl",
        name="orca_view",
        source_names=(banks.ORCA.name,),
        shape=banks.ORCA.shape,
        title="Orca camera",
        description="Summed Orca frames (cumulative and latest window), optionally "
        "downsampled; 512 x 512 (camera binned 4 x 4).",
    )
)
he3_view = registry.register(
    detector_view_spec(
        instrument="tbl",
        name="he3_tube_pixel",
        source_names=(banks.HE3.name,),
        title="He3 tubes, tube x pixel",
        screen_dims=("tube", "pixel"),
        screen_shape=banks.HE3.shape,
        screen_unit=None,
        description="Counts per tube and pixel; time of arrival or wavelength "
        "(t0 = 0, no chopper).",
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
        description="A row per blade and wire, a column per strip; time of arrival "
        "or wavelength (t0 = 0, no chopper).",
    )
)
monitor_histogram = registry.register(
    monitor_histogram_spec("tbl", tuple(banks.MONITORS))
)
timeseries_data = registry.register(timeseries_spec("tbl", tuple(streams.LOG_PVS)))

instrument = Instrument(
    name="tbl",
    title="TBL test beamline",
    workflows=registry,
    dev_streams=streams.DEV,
    prod_streams=streams.PROD,
    factories_module="livedata.instruments.tbl.factories",
    detectors={bank.name: bank for bank in banks.EVENT_DETECTORS},
    monitors=dict(banks.MONITORS),
    area_detectors={banks.ORCA.name: banks.ORCA},
    log_attributes={
        "chopper_phase": LogDataAttributes(unit="deg", value_min=0.0, value_max=360.0),
        "sample_x": LogDataAttributes(unit="mm", value_min=-50.0, value_max=50.0),
    },
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    default_jobs=(
        ("orca_view", (banks.ORCA.name,)),
        ("he3_tube_pixel", (banks.HE3.name,)),
        ("multiblade_blade_wire_strip", (banks.MULTIBLADE.name,)),
        ("monitor_histogram", tuple(banks.MONITORS)),
        ("timeseries_data", tuple(streams.LOG_PVS)),
    ),
)
