"""Factories every instrument registers the same way: monitor histograms and logs.

Only the monitors' distances from the source differ between instruments, so they
are the one argument; keeping the code here means one fix reaches every instrument.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.workflow import WorkflowContext
from ..core.workflow_spec import WorkflowRegistry
from .facility import factories as facility
from .monitor_histogram import MonitorHistogramWorkflow
from .standard_specs import MonitorAndLogSpecs
from .timeseries import TimeseriesWorkflow


def monitor_histogram_factory(distances_m: Mapping[str, float]):
    """A factory of monitor histograms; ``distances_m``: source to each monitor."""

    def make(context: WorkflowContext) -> MonitorHistogramWorkflow:
        return MonitorHistogramWorkflow(
            source_name=context.source_name,
            params=context.params,
            distance_m=distances_m[context.source_name],
        )

    return make


def timeseries_factory(context: WorkflowContext) -> TimeseriesWorkflow:
    """The history of one log stream (f144 -> NXlog)."""
    return TimeseriesWorkflow(source_name=context.source_name)


def attach_monitor_and_log_factories(
    registry: WorkflowRegistry,
    specs: MonitorAndLogSpecs,
    distances_m: Mapping[str, float],
) -> None:
    """The factories of ``register_monitor_and_log_specs``'s four specs."""
    registry.attach_factory(
        specs.monitor_histogram.workflow_id,
        facility.monitor_histogram_factory(distances_m),
    )
    registry.attach_factory(
        specs.monitor_histogram_own.workflow_id, monitor_histogram_factory(distances_m)
    )
    registry.attach_factory(
        specs.timeseries_data.workflow_id, facility.timeseries_factory
    )
    registry.attach_factory(specs.timeseries_data_own.workflow_id, timeseries_factory)
