"""TBL: workflow factories (phase 2: imports the science, loaded on demand).

Event-detector positions come from the registered geometry file; time of flight
and wavelength use the per-pixel linear maps of TBL's lookup table.
"""

from __future__ import annotations

from livedata.core.workflow import WorkflowContext
from livedata.instruments.instrument_geometry import (
    InstrumentGeometry,
    instrument_geometry,
)
from livedata.instruments.wavelength_lut import Beamline, wavelength_lut_factory
from livedata.workflows.area_detector_view import AreaDetectorViewWorkflow
from livedata.workflows.facility import factories as facility
from livedata.workflows.frame_shifted_view import frame_shifted_detector_view
from livedata.workflows.projection import logical_projection
from livedata.workflows.standard_factories import attach_monitor_and_log_factories

from . import banks, specs
from .conversions import LOOKUP


def geometry() -> InstrumentGeometry:
    return instrument_geometry("tbl")


def _view(context: WorkflowContext, screen: tuple[int, int], dims: tuple[str, str]):
    the_geometry = geometry()
    source = context.source_name
    flight_paths = the_geometry.flight_paths(source)
    unwrap = LOOKUP.frame_unwrap(flight_paths)
    return frame_shifted_detector_view(
        source_name=source,
        projection=logical_projection(
            screen, first_pixel_id=the_geometry.first_detector_number(source), dims=dims
        ),
        params=context.params,
        shift_ns=unwrap.shift_ns,
        wavelength=(unwrap.scale, unwrap.offset),
        flight_path_m=flight_paths,
        screen_unit=None,
    )


@specs.registry.factory(specs.orca_view)
def orca_view(context: WorkflowContext) -> AreaDetectorViewWorkflow:
    return AreaDetectorViewWorkflow(
        source_name=context.source_name, shape=banks.ORCA.shape, params=context.params
    )


@specs.registry.factory(specs.he3_view)
def he3_tube_pixel(context: WorkflowContext):
    return _view(context, banks.HE3_BANKS[0].shape, ("tube", "pixel"))


@specs.registry.factory(specs.multiblade_view)
def multiblade_blade_wire_strip(context: WorkflowContext):
    return _view(context, specs.MULTIBLADE_SCREEN, ("blade_wire", "strip"))


attach_monitor_and_log_factories(
    specs.registry, specs.monitors_and_logs, banks.MONITORS
)


# The facility's views (version 1 of its ids) on the same views.
def _imaging(context: WorkflowContext):
    bank = next(b for b in banks.EVENT_DETECTORS if b.name == context.source_name)
    return _view(context, bank.shape, bank.dims)


for _spec, _make in (
    (specs.he3_detector_view, he3_tube_pixel),
    (specs.multiblade_detector_view, multiblade_blade_wire_strip),
    *((spec, _imaging) for spec in specs.imaging_views.values()),
):
    specs.registry.attach_factory(
        _spec.workflow_id, facility.detector_view_factory(_make)
    )
specs.registry.attach_factory(
    specs.orca_facility.workflow_id,
    facility.area_view_factory(banks.ORCA.shape, banks.ORCA_DOWNSAMPLE),
)

# The facility's wavelength table (no data input), with the choppers modelled here.
specs.registry.attach_factory(
    specs.wavelength_lut.workflow_id,
    wavelength_lut_factory(
        Beamline(
            banks.SOURCE_TO_SAMPLE_M, wavelength_band_angstrom=banks.WAVELENGTH_BAND
        )
    ),
)
