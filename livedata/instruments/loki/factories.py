"""LOKI: workflow factories (phase 2: imports the science, loaded on demand).

Positions come from the registered geometry file (``instrument_geometry``); in
time-of-flight and wavelength modes the views convert with the per-pixel linear
maps of LOKI's lookup table (``conversions.py``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import scipp as sc

from livedata.core.workflow import WorkflowContext
from livedata.instruments.instrument_geometry import InstrumentGeometry
from livedata.instruments.wavelength_lut import Beamline, wavelength_lut_factory
from livedata.workflows.facility import factories as facility
from livedata.workflows.frame_shifted_view import frame_shifted_detector_view
from livedata.workflows.monitor_pixels import MonitorPixelsWorkflow
from livedata.workflows.projection import (
    ScreenProjection,
    geometric_projection,
    logical_projection,
)
from livedata.workflows.standard_factories import attach_monitor_and_log_factories

from . import banks, specs
from .conversions import LOOKUP
from .iofq import geometry, make_iofq_workflow
from .iofq_facility import make_facility_iofq


@cache
def _xy_projection(
    the_geometry: InstrumentGeometry, bank_name: str
) -> ScreenProjection:
    bank = the_geometry.bank(bank_name)
    return geometric_projection(
        sc.vectors(dims=list(bank.dims), values=bank.positions, unit="m"),
        first_pixel_id=the_geometry.first_detector_number(bank_name),
        kind="xy_plane",
        resolution=specs.XY_SCREEN,
        replicas=4,
        noise_sigma=sc.scalar(0.004, unit="m"),
    )


@cache
def _tube_pixel(the_geometry: InstrumentGeometry, bank_name: str) -> ScreenProjection:
    """(tube, pixel) of a bank, summed over layers and straws."""
    shape = next(b.shape for b in banks.BANKS if b.name == bank_name)
    _, n_tube, _, n_pixel = shape
    _, tube, _, pixel = np.meshgrid(*(np.arange(n) for n in shape), indexing="ij")
    tube, pixel = tube.ravel(), pixel.ravel()
    dims = ("tube", "pixel")
    return ScreenProjection(
        lut=(tube * n_pixel + pixel).astype(np.int32).reshape(-1, 1),
        first_pixel_id=the_geometry.first_detector_number(bank_name),
        dims=dims,
        shape=(n_tube, n_pixel),
        edges={
            dim: sc.array(dims=[dim], values=np.arange(n + 1) - 0.5, unit=None)
            for dim, n in zip(dims, (n_tube, n_pixel), strict=True)
        },
        pixel_coords={"tube": tube.astype(float), "pixel": pixel.astype(float)},
    )


def _view(
    context: WorkflowContext,
    projection: ScreenProjection,
    the_geometry: InstrumentGeometry,
    screen_unit: str | None = "m",
):
    flight_paths = the_geometry.flight_paths(context.source_name)
    unwrap = LOOKUP.frame_unwrap(flight_paths)
    return frame_shifted_detector_view(
        source_name=context.source_name,
        projection=projection,
        params=context.params,
        shift_ns=unwrap.shift_ns,
        wavelength=(unwrap.scale, unwrap.offset),
        flight_path_m=flight_paths,
        screen_unit=screen_unit,
    )


@specs.registry.factory(specs.detector_xy)
def detector_xy(context: WorkflowContext):
    the_geometry = geometry()
    return _view(
        context, _xy_projection(the_geometry, context.source_name), the_geometry
    )


specs.registry.attach_factory(
    specs.detector_xy_projection.workflow_id,
    facility.detector_view_factory(detector_xy),
)


@specs.registry.factory(specs.rear_tube_pixel)
def rear_tube_pixel(context: WorkflowContext):
    the_geometry = geometry()
    projection = _tube_pixel(the_geometry, context.source_name)
    return _view(context, projection, the_geometry, None)


specs.registry.attach_factory(
    specs.tube_view.workflow_id, facility.detector_view_factory(rear_tube_pixel)
)


def _monitor_pixels(context: WorkflowContext):
    """The transmission monitor's pixels as a (y, x) view; every pixel at the
    monitor's distance from the source."""
    pixels = banks.MONITOR_PIXELS
    flight = np.full(pixels.n_pixels, banks.MONITORS[context.source_name])
    unwrap = LOOKUP.frame_unwrap(flight)
    return frame_shifted_detector_view(
        source_name=context.source_name,
        projection=logical_projection(
            pixels.shape, first_pixel_id=pixels.first_detector_number
        ),
        params=context.params,
        shift_ns=unwrap.shift_ns,
        wavelength=(unwrap.scale, unwrap.offset),
        flight_path_m=flight,
        screen_unit=None,
    )


_monitor_pixels_view = facility.detector_view_factory(_monitor_pixels, roi=False)


@specs.registry.factory(specs.monitor_counts_per_pixel)
def monitor_counts_per_pixel(context: WorkflowContext):
    return MonitorPixelsWorkflow(_monitor_pixels_view(context), context.source_name)


attach_monitor_and_log_factories(
    specs.registry, specs.monitors_and_logs, banks.MONITORS
)


@specs.registry.factory(specs.i_of_q)
def i_of_q(context: WorkflowContext):
    return make_iofq_workflow(context.source_name, context.params)


specs.registry.attach_factory(specs.i_of_q_facility.workflow_id, make_facility_iofq)

# The facility's wavelength table (no data input), with the choppers modelled here.
specs.registry.attach_factory(
    specs.wavelength_lut.workflow_id,
    wavelength_lut_factory(
        Beamline(
            banks.SOURCE_TO_SAMPLE_M, wavelength_band_angstrom=banks.WAVELENGTH_BAND
        )
    ),
)
