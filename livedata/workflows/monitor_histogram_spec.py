"""Monitor histogram spec and params (light: pydantic only)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec
from .edges import CoordinateMode, TOAEdges, WavelengthEdges


class MonitorHistogramParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coordinate_mode: CoordinateMode = Field(
        default=CoordinateMode.TIME_OF_ARRIVAL,
        description="time_of_arrival or wavelength",
    )
    toa_edges: TOAEdges = Field(default_factory=TOAEdges)
    wavelength_edges: WavelengthEdges = Field(default_factory=WavelengthEdges)


def monitor_histogram_spec(
    instrument: str,
    source_names: tuple[str, ...],
    *,
    name: str = "monitor_histogram",
    title: str = "Beam monitor spectrum",
) -> WorkflowSpec:
    dim = CoordinateMode.TIME_OF_ARRIVAL.value  # templates show the default mode
    coords = {dim: CoordTemplate((dim,), "ms", bin_edges=True)}

    def spectrum(text: str) -> OutputTemplate:
        return OutputTemplate(text, (dim,), "counts", (None,), coords)

    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace="monitor_data",
        title=title,
        description="Events or histograms of a beam monitor, in time of arrival or "
        "wavelength (wavelength assumes t0 at the pulse start, no chopper).",
        group="Monitors",
        source_names=source_names,
        params=MonitorHistogramParams,
        outputs={
            "cumulative": spectrum("Monitor spectrum since start"),
            "current": spectrum("Monitor spectrum, latest window"),
            "counts_total": OutputTemplate("Counts in the latest window", (), "counts"),
            "counts_total_cumulative": OutputTemplate(
                "Counts since start", (), "counts"
            ),
        },
    )
