"""Dummy instrument: description and workflow specs (phase 1: light imports only)."""

from __future__ import annotations

from livedata.core.log_attributes import LogDataAttributes
from livedata.core.workflow_spec import WorkflowRegistry, own_version
from livedata.instruments.instrument import (
    AreaDetectorConfig,
    DetectorConfig,
    Instrument,
)
from livedata.workflows.area_detector_spec import area_detector_spec
from livedata.workflows.detector_view_spec import detector_view_spec
from livedata.workflows.facility import params as facility_params
from livedata.workflows.facility import specs as facility
from livedata.workflows.standard_specs import register_monitor_and_log_specs
from livedata.workflows.total_counts_spec import total_counts_spec

PANEL = DetectorConfig(
    name="panel_0", first_detector_number=1, shape=(128, 128), dims=("y", "x")
)
PANEL_DISTANCE_M = 4.0  # sample to panel centre
PANEL_WIDTH_M = 1.0
SOURCE_TO_SAMPLE_M = 20.0
AREA = AreaDetectorConfig(name="area_panel", shape=(256, 256))
LOG_ATTRIBUTES = {
    "motion1": LogDataAttributes(unit="mm", value_min=-100.0, value_max=100.0),
    "motion2": LogDataAttributes(unit="deg", value_min=-180.0, value_max=180.0),
}

registry = WorkflowRegistry()

panel_0_xy = registry.register(
    facility.detector_view_spec(
        instrument="dummy",
        name="panel_0_xy",
        source_names=("panel_0",),
        title="Panel 0, xy plane",
        screen_shape=(128, 128),
    )
)
panel_0_xy_own = registry.register(
    own_version(
        detector_view_spec(
            instrument="dummy",
            name="panel_0_xy",
            source_names=("panel_0",),
            title="Panel 0, xy plane",
            screen_shape=(128, 128),
            description="Geometric projection onto the xy plane with pixel-noise "
            "replicas.",
        )
    )
)
panel_0_logical = registry.register(
    detector_view_spec(
        instrument="dummy",
        name="panel_0_logical",
        source_names=("panel_0",),
        title="Panel 0, pixel grid",
        screen_shape=(128, 128),
        screen_unit=None,
        description="Logical view: detector numbers folded into 128 x 128.",
    )
)
panel_0_layers = registry.register(
    facility.detector_view_spec(
        instrument="dummy",
        name="panel_0_layers",
        source_names=("panel_0",),
        title="Panel 0, layers",
        screen_shape=PANEL.shape,
        screen_unit=None,
        roi=False,
        description="The facility's logical view of the panel: detector numbers "
        "folded into 128 x 128 (the panel has one layer), no ROIs.",
    )
)
area_panel_xy_facility = registry.register(
    facility.area_view_spec(
        instrument="dummy",
        name="area_panel_xy",
        source_names=("area_panel",),
        title="Area panel",
        shape=AREA.shape,
    )
)
area_panel_xy = registry.register(
    own_version(
        area_detector_spec(
            instrument="dummy",
            name="area_panel_xy",
            source_names=("area_panel",),
            shape=AREA.shape,
            title="Area panel",
        )
    )
)
MONITORS = ("monitor1", "monitor2")
LOGS = ("motion1", "motion2")
monitors_and_logs = register_monitor_and_log_specs(
    registry,
    "dummy",
    monitors=MONITORS,
    monitor_params=facility_params.TOAOnlyMonitorDataParams,
    log_streams={log: log for log in LOGS},
    logs=LOGS,
    log_attributes=LOG_ATTRIBUTES,
)
total_counts = registry.register(facility.total_counts_spec("dummy", ("panel_0",)))
total_counts_own = registry.register(
    own_version(total_counts_spec("dummy", ("panel_0",)))
)

instrument = Instrument(
    name="dummy",
    title="Dummy instrument",
    workflows=registry,
    detectors={PANEL.name: PANEL},
    monitors={"monitor1": 18.0, "monitor2": 21.0},
    area_detectors={AREA.name: AREA},
    log_attributes=LOG_ATTRIBUTES,
    source_to_sample_m=SOURCE_TO_SAMPLE_M,
    default_jobs=(
        ("panel_0_xy", ("panel_0",)),
        ("area_panel_xy", ("area_panel",)),
        ("monitor_histogram", ("monitor1", "monitor2")),
        ("timeseries_data", ("motion1", "motion2")),
        ("total_counts", ("panel_0",)),
    ),
)
