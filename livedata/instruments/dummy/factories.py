"""Dummy instrument: workflow factories (phase 2: imports the science)."""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.core.workflow import WorkflowContext
from livedata.workflows.area_detector_view import AreaDetectorViewWorkflow
from livedata.workflows.detector_view import (
    DetectorViewWorkflow,
    wavelength_transform,
)
from livedata.workflows.facility import factories as facility
from livedata.workflows.projection import (
    ScreenProjection,
    geometric_projection,
    logical_projection,
    synthetic_panel_positions,
)
from livedata.workflows.standard_factories import attach_monitor_and_log_factories
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow
from livedata.workflows.total_counts import make_total_counts_workflow

from . import specs


@cache
def _panel_positions():
    return synthetic_panel_positions(
        *specs.PANEL.shape,
        width_m=specs.PANEL_WIDTH_M,
        distance_m=specs.PANEL_DISTANCE_M,
    )


@cache
def _xy_projection() -> ScreenProjection:
    return geometric_projection(
        _panel_positions(),
        first_pixel_id=specs.PANEL.first_detector_number,
        kind="xy_plane",
        resolution=specs.PANEL.shape,
        replicas=4,
    )


@cache
def _logical_projection() -> ScreenProjection:
    return logical_projection(
        specs.PANEL.shape, first_pixel_id=specs.PANEL.first_detector_number
    )


@cache
def _flight_paths() -> np.ndarray:
    positions = _panel_positions().flatten(to="pixel")
    return specs.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions.values, axis=1)


@cache
def _wavelength() -> tuple[np.ndarray, np.ndarray]:
    return wavelength_transform(_flight_paths())


@specs.registry.factory(specs.panel_0_xy_own)
def panel_0_xy(context: WorkflowContext) -> DetectorViewWorkflow:
    return DetectorViewWorkflow(
        source_name=context.source_name,
        projection=_xy_projection(),
        params=context.params,
        wavelength=_wavelength(),
        flight_path_m=_flight_paths(),
    )


@specs.registry.factory(specs.panel_0_logical)
def panel_0_logical(context: WorkflowContext) -> DetectorViewWorkflow:
    return DetectorViewWorkflow(
        source_name=context.source_name,
        projection=_logical_projection(),
        params=context.params,
        wavelength=_wavelength(),
        flight_path_m=_flight_paths(),
        screen_unit=None,
    )


@specs.registry.factory(specs.area_panel_xy)
def area_panel_xy(context: WorkflowContext) -> AreaDetectorViewWorkflow:
    return AreaDetectorViewWorkflow(
        source_name=context.source_name,
        shape=specs.AREA.shape,
        params=context.params,
    )


attach_monitor_and_log_factories(
    specs.registry, specs.monitors_and_logs, specs.instrument.monitors
)


@specs.registry.factory(specs.total_counts_own)
def total_counts(context: WorkflowContext) -> StreamProcessorWorkflow:
    return make_total_counts_workflow(context.source_name)


# The facility's ids (version 1), on the same workflows.
specs.registry.attach_factory(
    specs.panel_0_xy.workflow_id, facility.detector_view_factory(panel_0_xy)
)
specs.registry.attach_factory(
    specs.total_counts.workflow_id, facility.total_counts_factory(total_counts)
)
specs.registry.attach_factory(
    specs.panel_0_layers.workflow_id,
    facility.detector_view_factory(panel_0_logical, roi=False),
)
specs.registry.attach_factory(
    specs.area_panel_xy_facility.workflow_id,
    facility.area_view_factory(specs.AREA.shape),
)
