"""Timeseries of slow-control logs (light: no scipp import)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from ..core.log_attributes import LogDataAttributes
from ..core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec


def timeseries_outputs(unit: str | None) -> dict[str, OutputTemplate]:
    """Templates of one log's history and latest value, in the log's unit (G7)."""
    return {
        "timeseries": OutputTemplate(
            "History",
            ("time",),
            unit,
            (None,),
            {"time": CoordTemplate(("time",), "ns")},
        ),
        "latest": OutputTemplate(
            "Latest value", (), unit, (), {"sample_time": CoordTemplate((), "ns")}
        ),
    }


def timeseries_spec(
    instrument: str,
    source_names: tuple[str, ...],
    *,
    name: str = "timeseries_data",
    title: str = "Log values over time",
    log_attributes: Mapping[str, LogDataAttributes] | None = None,
) -> WorkflowSpec:
    """``log_attributes`` (the f144 registry) gives each source's unit; without it,
    or for a source it lacks, the unit is unknown (``None``). ``outputs`` has the
    unit all sources share, if they share one."""
    units = {
        source: log_attributes[source].unit
        for source in source_names
        if log_attributes is not None and source in log_attributes
    }
    shared = set(units.values()) if len(units) == len(source_names) else set()

    def templates_for(
        params: BaseModel | None, source_name: str | None
    ) -> dict[str, OutputTemplate]:
        if source_name is None:
            return timeseries_outputs(next(iter(shared)) if len(shared) == 1 else None)
        return timeseries_outputs(units.get(source_name))

    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace="timeseries",
        title=title,
        description="History of a slow-control value (f144) and its latest reading.",
        group="Logs",
        source_names=source_names,
        outputs=templates_for(None, None),
        output_templates=templates_for,
    )
