"""Factories of the facility's workflow ids on livedata's workflows (heavy)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from ...core.workflow import Workflow, WorkflowContext
from ..monitor_histogram import MonitorHistogramWorkflow
from .convert import to_monitor_params, to_qe_params, to_view_params, toa_range_ns
from .specs import ROI_OUTPUTS, VIEW_OUTPUTS, VIEW_RENAMES
from .workflows import (
    AreaWorkflow,
    DeltaTimeseriesWorkflow,
    MonitorWorkflow,
    SelectedOutputs,
    ViewWorkflow,
)

OwnFactory = Callable[[WorkflowContext], Workflow]


def monitor_histogram_factory(distances_m: Mapping[str, float]) -> OwnFactory:
    """Facility monitor histograms; ``distances_m``: source to each monitor."""

    def make(context: WorkflowContext) -> Workflow:
        params = context.params
        inner = MonitorHistogramWorkflow(
            source_name=context.source_name,
            params=to_monitor_params(params),
            distance_m=distances_m[context.source_name],
        )
        return MonitorWorkflow(
            inner,
            source_name=context.source_name,
            toa_range_ns=toa_range_ns(params.toa_range),
        )

    return make


def detector_view_factory(make_own: OwnFactory, *, roi: bool = True) -> OwnFactory:
    """A facility detector view on livedata's view ``make_own`` builds."""
    names = VIEW_OUTPUTS + (ROI_OUTPUTS if roi else ())

    def make(context: WorkflowContext) -> Workflow:
        own = replace(context, params=to_view_params(context.params))
        return ViewWorkflow(
            make_own(own),
            source_name=context.source_name,
            names=names,
            renames=VIEW_RENAMES,
        )

    return make


def area_view_factory(shape: tuple[int, int], downsample: int = 1) -> OwnFactory:
    """A facility camera view: frames of ``shape`` summed in ``downsample``
    blocks (the facility's id has no params, so the binning is fixed here)."""
    from ..area_detector_spec import AreaDetectorParams
    from ..area_detector_view import AreaDetectorViewWorkflow

    params = AreaDetectorParams(downsample=downsample)

    def make(context: WorkflowContext) -> Workflow:
        inner = AreaDetectorViewWorkflow(
            source_name=context.source_name, shape=shape, params=params
        )
        return AreaWorkflow(inner)

    return make


def total_counts_factory(make_own: OwnFactory) -> OwnFactory:
    def make(context: WorkflowContext) -> Workflow:
        return SelectedOutputs(make_own(context), ("total_counts",))

    return make


def qmap_factory(make_own: OwnFactory, own_params: type) -> OwnFactory:
    """BIFROST's ``qmap``: livedata's Q-E map since start, as ``cut_data``."""

    def make(context: WorkflowContext) -> Workflow:
        params = own_params.model_validate(to_qe_params(context.params))
        inner = make_own(replace(context, params=params))
        return SelectedOutputs(inner, {"cut_data": "qe_map"})

    return make


def timeseries_factory(context: WorkflowContext) -> Workflow:
    return DeltaTimeseriesWorkflow(source_name=context.source_name)
