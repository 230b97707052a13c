"""Specs every instrument registers the same way: monitor histograms and logs.

Each comes twice: the facility's id (version 1, its params and outputs) and
livedata's own (``own_version``), so an instrument names its monitors, their
params model and its log streams, and this registers the four. The matching
factories are attached by ``standard_factories.attach_monitor_and_log_factories``
(phase 2: specs import no science).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.log_attributes import LogDataAttributes
from ..core.workflow_spec import WorkflowRegistry, WorkflowSpec, own_version
from .facility import params as facility_params
from .facility import specs as facility
from .monitor_histogram_spec import monitor_histogram_spec
from .timeseries_spec import timeseries_spec


@dataclass(frozen=True)
class MonitorAndLogSpecs:
    monitor_histogram: WorkflowSpec  # the facility's id
    monitor_histogram_own: WorkflowSpec
    timeseries_data: WorkflowSpec  # the facility's id
    timeseries_data_own: WorkflowSpec


def register_monitor_and_log_specs(
    registry: WorkflowRegistry,
    instrument: str,
    *,
    monitors: tuple[str, ...],
    monitor_params: type[facility_params.TOAOnlyMonitorDataParams]
    | type[facility_params.MonitorDataParams],
    log_streams: Mapping[str, str],
    logs: tuple[str, ...],
    log_attributes: Mapping[str, LogDataAttributes],
) -> MonitorAndLogSpecs:
    """``monitor_params``: the facility's params model of these monitors;
    ``log_streams``: each facility timeseries source -> its log stream;
    ``logs``: the log streams livedata's own timeseries reads."""
    return MonitorAndLogSpecs(
        monitor_histogram=registry.register(
            facility.monitor_histogram_spec(instrument, monitors, monitor_params)
        ),
        monitor_histogram_own=registry.register(
            own_version(monitor_histogram_spec(instrument, monitors))
        ),
        timeseries_data=registry.register(
            facility.timeseries_spec(instrument, log_streams, log_attributes)
        ),
        timeseries_data_own=registry.register(
            own_version(
                timeseries_spec(instrument, logs, log_attributes=log_attributes)
            )
        ),
    )
