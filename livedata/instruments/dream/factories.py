"""DREAM: workflow factories (phase 2: imports the science, loaded on demand)."""

from __future__ import annotations

from livedata.core.workflow import WorkflowContext
from livedata.instruments.wavelength_lut import Beamline, wavelength_lut_factory
from livedata.workflows.facility import factories as facility
from livedata.workflows.standard_factories import attach_monitor_and_log_factories
from livedata.workflows.total_counts import make_total_counts_workflow

from . import specs, views
from . import wavelength as dream_wavelength
from .powder import make_powder_workflow
from .powder_facility import make_powder_reduction


def _geometric_view(context: WorkflowContext):
    the_geometry = views.geometry()
    return views.make_view(
        context.source_name,
        views.geometric(the_geometry, context.source_name),
        context.params,
        the_geometry,
    )


specs.registry.attach_factory(specs.mantle_view.workflow_id, _geometric_view)
for _spec in specs.endcap_views.values():
    specs.registry.attach_factory(_spec.workflow_id, _geometric_view)


@specs.registry.factory(specs.mantle_logical)
def mantle_strip_sector(context: WorkflowContext):
    the_geometry = views.geometry()
    return views.make_view(
        context.source_name,
        views.mantle_strip_sector(the_geometry),
        context.params,
        the_geometry,
        screen_unit=None,
    )


attach_monitor_and_log_factories(
    specs.registry, specs.monitors_and_logs, specs.instrument.monitors
)


@specs.registry.factory(specs.total_counts)
def total_counts(context: WorkflowContext):
    return make_total_counts_workflow(context.source_name)


@specs.registry.factory(specs.powder)
def powder(context: WorkflowContext):
    return make_powder_workflow(context.source_name, context.params)


@specs.registry.factory(specs.powder_reduction)
def powder_reduction(context: WorkflowContext):
    return make_powder_reduction(context, vanadium=False)


@specs.registry.factory(specs.powder_reduction_with_vanadium)
def powder_reduction_with_vanadium(context: WorkflowContext):
    return make_powder_reduction(context, vanadium=True)


def _fold_view(rows: str, front_only: bool = False):
    def make(context: WorkflowContext):
        the_geometry = views.geometry()
        projection = views.fold(the_geometry, context.source_name, rows, front_only)
        return views.make_view(
            context.source_name,
            projection,
            context.params,
            the_geometry,
            screen_unit=None,
        )

    return make


# The facility's views (version 1 of its ids) on livedata's views.
for _spec, _make, _roi in (
    (specs.detector_projection, _geometric_view, True),
    (specs.mantle_front_layer, _fold_view("strip", front_only=True), True),
    (specs.strip_view, _fold_view("strip"), False),
    (specs.wire_view, _fold_view("wire"), False),
):
    specs.registry.attach_factory(
        _spec.workflow_id, facility.detector_view_factory(_make, roi=_roi)
    )


# The facility's wavelength table (no data input), with the choppers modelled here.
specs.registry.attach_factory(
    specs.wavelength_lut.workflow_id,
    wavelength_lut_factory(
        Beamline(
            specs.banks.SOURCE_TO_SAMPLE_M, choppers=dream_wavelength.disk_choppers
        )
    ),
)
