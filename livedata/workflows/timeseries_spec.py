"""Timeseries of slow-control logs (light: no scipp import)."""

from __future__ import annotations

from ..core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec


def timeseries_spec(
    instrument: str,
    source_names: tuple[str, ...],
    *,
    name: str = "timeseries_data",
    title: str = "Log values over time",
) -> WorkflowSpec:
    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace="timeseries",
        title=title,
        description="History of a slow-control value (f144) and its latest reading.",
        group="Logs",
        source_names=source_names,
        outputs={
            "timeseries": OutputTemplate(
                "History",
                ("time",),
                None,
                (None,),
                {"time": CoordTemplate(("time",), "ns")},
            ),
            "latest": OutputTemplate(
                "Latest value", (), None, (), {"sample_time": CoordTemplate((), "ns")}
            ),
        },
    )
