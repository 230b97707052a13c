"""Total detector counts through a sciline pipeline (light: no scipp import)."""

from __future__ import annotations

from ..core.workflow_spec import OutputTemplate, WorkflowSpec


def total_counts_spec(
    instrument: str, source_names: tuple[str, ...], *, name: str = "total_counts"
) -> WorkflowSpec:
    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace="data_reduction",
        title="Total detector counts",
        description="Counts of NXevent_data-layout events, reduced by a sciline "
        "pipeline through essreduce's StreamProcessor.",
        group="Reduction",
        source_names=source_names,
        outputs={
            "total_counts": OutputTemplate("Counts since start", (), "counts"),
            "counts_current": OutputTemplate(
                "Counts in the latest window", (), "counts"
            ),
        },
    )
