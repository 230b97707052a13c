"""BIFROST: workflow factories (phase 2: imports the science, loaded on demand)."""

from __future__ import annotations

from functools import cache

import numpy as np
import scipp as sc

from livedata.core.workflow import WorkflowContext
from livedata.workflows.detector_view import DetectorViewWorkflow
from livedata.workflows.projection import ScreenProjection
from livedata.workflows.standard_factories import (
    monitor_histogram_factory,
    timeseries_factory,
)

from . import banks, specs
from .ratemeter import make_ratemeter_workflow


@cache
def arc_channel_projection() -> ScreenProjection:
    """Row = arc * 3 + tube, column = channel * 10 + pixel // 10 (sums 10 pixels)."""
    arc, tube, channel, pixel = np.meshgrid(
        *(np.arange(n) for n in banks.UNIFIED.shape), indexing="ij"
    )
    rows, cols = specs.LOGICAL_SCREEN
    row = (arc * banks.N_TUBE + tube).ravel()
    col = (
        channel * (banks.N_PIXEL // specs.PIXEL_DOWNSAMPLE)
        + pixel // specs.PIXEL_DOWNSAMPLE
    ).ravel()
    dims = ("arc_tube", "channel_pixel")
    return ScreenProjection(
        lut=(row * cols + col).astype(np.int32).reshape(-1, 1),
        first_pixel_id=banks.UNIFIED.first_detector_number,
        dims=dims,
        shape=(rows, cols),
        edges={
            dim: sc.array(dims=[dim], values=np.arange(size + 1) - 0.5, unit=None)
            for dim, size in zip(dims, (rows, cols), strict=True)
        },
        pixel_coords={dims[0]: row.astype(float), dims[1]: col.astype(float)},
    )


@specs.registry.factory(specs.detector_arc_channel)
def detector_arc_channel(context: WorkflowContext) -> DetectorViewWorkflow:
    return DetectorViewWorkflow(
        source_name=context.source_name,
        projection=arc_channel_projection(),
        params=context.params,
        wavelength=None,
        screen_unit=None,
    )


@specs.registry.factory(specs.detector_ratemeter)
def detector_ratemeter(context: WorkflowContext):
    return make_ratemeter_workflow(context.source_name)


specs.registry.attach_factory(
    specs.monitor_histogram.workflow_id, monitor_histogram_factory(banks.MONITORS)
)
specs.registry.attach_factory(specs.timeseries_data.workflow_id, timeseries_factory)
