"""BIFROST: workflow factories (phase 2: imports the science, loaded on demand)."""

from __future__ import annotations

from functools import cache

import numpy as np
import scipp as sc

from livedata.core.workflow import WorkflowContext
from livedata.instruments.instrument_geometry import (
    InstrumentGeometry,
    instrument_geometry,
)
from livedata.instruments.wavelength_lut import Beamline, wavelength_lut_factory
from livedata.workflows.detector_view_spec import spectral_edges
from livedata.workflows.edges import CoordinateMode
from livedata.workflows.facility import factories as facility
from livedata.workflows.facility.convert import to_view_params
from livedata.workflows.facility.workflows import Combined
from livedata.workflows.frame_shifted_view import frame_shifted_detector_view
from livedata.workflows.projection import ScreenProjection
from livedata.workflows.standard_factories import attach_monitor_and_log_factories

from . import banks, specs
from .conversions import IndirectConversion, indirect_conversion
from .ratemeter import make_ratemeter_workflow
from .region_counts import RegionCountsWorkflow, region_mask
from .spectrum_view import SpectrumView


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


@cache
def _conversion(geometry: InstrumentGeometry) -> IndirectConversion:
    return indirect_conversion(geometry)


@specs.registry.factory(specs.detector_arc_channel)
def detector_arc_channel(context: WorkflowContext):
    """Time of arrival as is; time of flight and incident wavelength per pixel
    from the indirect geometry, after moving each event into its frame."""
    conversion = _conversion(instrument_geometry("bifrost"))
    tof = context.params.coordinate_mode is CoordinateMode.TIME_OF_FLIGHT
    return frame_shifted_detector_view(
        source_name=context.source_name,
        projection=arc_channel_projection(),
        params=context.params,
        shift_ns=conversion.shift_ns,
        wavelength=conversion.tof if tof else conversion.wavelength,
        flight_path_m=conversion.l1_m,
        screen_unit=None,
    )


@specs.registry.factory(specs.qe_map)
def qe_map(context: WorkflowContext):
    from .qe_map import make_qe_map_workflow

    return make_qe_map_workflow(
        context.source_name, context.params, instrument_geometry("bifrost")
    )


specs.registry.attach_factory(
    specs.qmap.workflow_id, facility.qmap_factory(qe_map, specs.qe_map.params)
)


@specs.registry.factory(specs.elastic_qmap)
def elastic_qmap(context: WorkflowContext):
    from .elastic_qmap import make_elastic_qmap

    return make_elastic_qmap(context, custom=False)


@specs.registry.factory(specs.elastic_qmap_custom)
def elastic_qmap_custom(context: WorkflowContext):
    from .elastic_qmap import make_elastic_qmap

    return make_elastic_qmap(context, custom=True)


@specs.registry.factory(specs.detector_ratemeter)
def detector_ratemeter(context: WorkflowContext):
    return make_ratemeter_workflow(context.source_name)


attach_monitor_and_log_factories(
    specs.registry, specs.monitors_and_logs, banks.MONITORS
)


# The facility's ids (version 1) on livedata's workflows.


@specs.registry.factory(specs.detector_ratemeter_facility)
def detector_region_counts(context: WorkflowContext):
    region = context.params.region
    mask = region_mask(region.arc, region.pixel_start, region.pixel_stop)
    return RegionCountsWorkflow(source_name=context.source_name, mask=mask)


_unified_view = facility.detector_view_factory(detector_arc_channel)


@specs.registry.factory(specs.unified_detector_view)
def unified_detector_view(context: WorkflowContext):
    """livedata's logical view with the facility's outputs, and its spectrum view
    (binned like the view: as it came, or per pixel in its frame)."""
    own = to_view_params(context.params)
    edges = spectral_edges(own)
    dim = own.coordinate_mode.value
    conversion = None
    if own.coordinate_mode is CoordinateMode.TIME_OF_ARRIVAL:
        bounds = edges.bounds_in("ns")
    else:
        shift = _conversion(instrument_geometry("bifrost"))
        bounds = edges.bounds_in("angstrom")
        conversion = (shift.shift_ns, *shift.wavelength)
    spectrum = SpectrumView(
        source_name=context.source_name,
        pixels_per_tube=context.params.spectrum_params.pixels_per_tube,
        edges=sc.linspace(
            dim, edges.start, edges.stop, edges.num_bins + 1, unit=edges.unit
        ),
        bounds=bounds,
        conversion=conversion,
    )
    return Combined(_unified_view(context), spectrum)


# The facility's wavelength table (no data input), with the choppers modelled here.
specs.registry.attach_factory(
    specs.wavelength_lut.workflow_id,
    wavelength_lut_factory(Beamline(banks.SOURCE_TO_SAMPLE_M)),
)
