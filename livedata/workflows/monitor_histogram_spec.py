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


def monitor_histogram_outputs(
    params: MonitorHistogramParams | None = None,
) -> dict[str, OutputTemplate]:
    """Templates of a monitor histogram job: the mode names the dim (G7)."""
    params = params if params is not None else MonitorHistogramParams()
    edges = (
        params.wavelength_edges
        if params.coordinate_mode is CoordinateMode.WAVELENGTH
        else params.toa_edges
    )
    dim = params.coordinate_mode.value
    coords = {dim: CoordTemplate((dim,), edges.unit, bin_edges=True)}

    def spectrum(text: str) -> OutputTemplate:
        return OutputTemplate(text, (dim,), "counts", (edges.num_bins,), coords)

    return {
        "cumulative": spectrum("Monitor spectrum since start"),
        "current": spectrum("Monitor spectrum, latest window"),
        "counts_total": OutputTemplate("Counts in the latest window", (), "counts"),
        "counts_total_cumulative": OutputTemplate("Counts since start", (), "counts"),
    }


def _templates_for(
    params: BaseModel | None, source_name: str | None
) -> dict[str, OutputTemplate]:
    assert params is None or isinstance(params, MonitorHistogramParams)
    return monitor_histogram_outputs(params)


def monitor_histogram_spec(
    instrument: str,
    source_names: tuple[str, ...],
    *,
    name: str = "monitor_histogram",
    title: str = "Beam monitor spectrum",
) -> WorkflowSpec:
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
        outputs=monitor_histogram_outputs(),
        output_templates=_templates_for,
    )
