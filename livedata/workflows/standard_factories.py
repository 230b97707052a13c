"""Factories every instrument registers the same way: monitor histograms and logs.

Only the monitors' distances from the source differ between instruments, so they
are the one argument; keeping the code here means one fix reaches every instrument.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.workflow import WorkflowContext
from .monitor_histogram import MonitorHistogramWorkflow
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
