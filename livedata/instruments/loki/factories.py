"""LOKI: workflow factories (phase 2: imports the science, loaded on demand)."""

from __future__ import annotations

from functools import cache

import numpy as np
import scipp as sc

from livedata.core.workflow import WorkflowContext
from livedata.workflows.detector_view import DetectorViewWorkflow, wavelength_transform
from livedata.workflows.projection import (
    ScreenProjection,
    geometric_projection,
    logical_projection,
)
from livedata.workflows.standard_factories import (
    monitor_histogram_factory,
    timeseries_factory,
)

from . import banks, specs
from .iofq import make_iofq_workflow
from .layout import layout

_BANKS = {bank.name: bank for bank in banks.BANKS}


@cache
def _xy_projection(bank_name: str) -> ScreenProjection:
    bank = layout().bank(bank_name)
    return geometric_projection(
        sc.vectors(dims=list(bank.dims), values=bank.positions, unit="m"),
        first_pixel_id=_BANKS[bank_name].first_detector_number,
        kind="xy_plane",
        resolution=specs.XY_SCREEN,
        replicas=4,
        noise_sigma=sc.scalar(0.004, unit="m"),
    )


@cache
def _flight_paths(bank_name: str) -> np.ndarray:
    positions = layout().bank(bank_name).positions.reshape(-1, 3)
    return banks.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions, axis=1)


@cache
def _wavelength(bank_name: str) -> tuple[np.ndarray, np.ndarray]:
    return wavelength_transform(_flight_paths(bank_name))


@specs.registry.factory(specs.detector_xy)
def detector_xy(context: WorkflowContext) -> DetectorViewWorkflow:
    return DetectorViewWorkflow(
        source_name=context.source_name,
        projection=_xy_projection(context.source_name),
        params=context.params,
        wavelength=_wavelength(context.source_name),
        flight_path_m=_flight_paths(context.source_name),
    )


@specs.registry.factory(specs.rear_tube_pixel)
def rear_tube_pixel(context: WorkflowContext) -> DetectorViewWorkflow:
    return DetectorViewWorkflow(
        source_name=context.source_name,
        projection=logical_projection(
            banks.REAR_SHAPE,
            first_pixel_id=banks.REAR.first_detector_number,
            dims=("tube", "pixel"),
        ),
        params=context.params,
        wavelength=_wavelength(context.source_name),
        flight_path_m=_flight_paths(context.source_name),
        screen_unit=None,
    )


specs.registry.attach_factory(
    specs.monitor_histogram.workflow_id, monitor_histogram_factory(banks.MONITORS)
)
specs.registry.attach_factory(specs.timeseries_data.workflow_id, timeseries_factory)


@specs.registry.factory(specs.i_of_q)
def i_of_q(context: WorkflowContext):
    return make_iofq_workflow(context.source_name, context.params)
