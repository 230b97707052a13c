"""TBL: workflow factories (phase 2: imports the science, loaded on demand)."""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.core.workflow import WorkflowContext
from livedata.workflows.area_detector_view import AreaDetectorViewWorkflow
from livedata.workflows.detector_view import DetectorViewWorkflow, wavelength_transform
from livedata.workflows.projection import logical_projection
from livedata.workflows.standard_factories import (
    monitor_histogram_factory,
    timeseries_factory,
)

from . import banks, specs
from .layout import layout


@cache
def _flight_paths(bank_name: str) -> np.ndarray:
    positions = layout().bank(bank_name).positions.reshape(-1, 3)
    return banks.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions, axis=1)


@cache
def _wavelength(bank_name: str) -> tuple[np.ndarray, np.ndarray]:
    return wavelength_transform(_flight_paths(bank_name))


@specs.registry.factory(specs.orca_view)
def orca_view(context: WorkflowContext) -> AreaDetectorViewWorkflow:
    return AreaDetectorViewWorkflow(
        source_name=context.source_name, shape=banks.ORCA.shape, params=context.params
    )


@specs.registry.factory(specs.he3_view)
def he3_tube_pixel(context: WorkflowContext) -> DetectorViewWorkflow:
    return DetectorViewWorkflow(
        source_name=context.source_name,
        projection=logical_projection(
            banks.HE3.shape,
            first_pixel_id=banks.HE3.first_detector_number,
            dims=("tube", "pixel"),
        ),
        params=context.params,
        wavelength=_wavelength(banks.HE3.name),
        flight_path_m=_flight_paths(banks.HE3.name),
        screen_unit=None,
    )


@specs.registry.factory(specs.multiblade_view)
def multiblade_blade_wire_strip(context: WorkflowContext) -> DetectorViewWorkflow:
    return DetectorViewWorkflow(
        source_name=context.source_name,
        projection=logical_projection(
            specs.MULTIBLADE_SCREEN,
            first_pixel_id=banks.MULTIBLADE.first_detector_number,
            dims=("blade_wire", "strip"),
        ),
        params=context.params,
        wavelength=_wavelength(banks.MULTIBLADE.name),
        flight_path_m=_flight_paths(banks.MULTIBLADE.name),
        screen_unit=None,
    )


specs.registry.attach_factory(
    specs.monitor_histogram.workflow_id, monitor_histogram_factory(banks.MONITORS)
)
specs.registry.attach_factory(specs.timeseries_data.workflow_id, timeseries_factory)
