"""Detector view specs and params (light: pydantic and livedata.core only)."""

from __future__ import annotations

from functools import partial

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec
from .edges import CoordinateMode, TOAEdges, TOFEdges, WavelengthEdges


class TOARange(BaseModel):
    """Only events in this time-of-arrival range count towards the image."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    low: float = Field(default=0.0, ge=0.0, description="ms")
    high: float = Field(default=71.4, description="ms")

    @model_validator(mode="after")
    def _ordered(self):
        if self.enabled and self.high <= self.low:
            raise ValueError("high must be greater than low")
        return self


class DetectorViewParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coordinate_mode: CoordinateMode = CoordinateMode.TIME_OF_ARRIVAL
    toa_edges: TOAEdges = Field(default_factory=TOAEdges)
    tof_edges: TOFEdges = Field(default_factory=TOFEdges)
    wavelength_edges: WavelengthEdges = Field(default_factory=WavelengthEdges)
    toa_range: TOARange = Field(default_factory=TOARange)


def spectral_edges(params: DetectorViewParams) -> TOAEdges | TOFEdges | WavelengthEdges:
    """The edges param that the coordinate mode uses."""
    match params.coordinate_mode:
        case CoordinateMode.WAVELENGTH:
            return params.wavelength_edges
        case CoordinateMode.TIME_OF_FLIGHT:
            return params.tof_edges
        case _:
            return params.toa_edges


def detector_view_outputs(
    screen_dims: tuple[str, str],
    screen_shape: tuple[int, int],
    screen_unit: str | None,
    params: DetectorViewParams | None = None,
) -> dict[str, OutputTemplate]:
    """Output templates shared by every detector view (G7).

    The spectral dim is named after the coordinate mode and carries the unit and
    number of bins of its edges param; ``params=None`` means the defaults.
    """
    params = params if params is not None else DetectorViewParams()
    image_coords = {
        dim: CoordTemplate((dim,), screen_unit, bin_edges=True) for dim in screen_dims
    }
    edges = spectral_edges(params)
    spec_dim = params.coordinate_mode.value
    n_bins = edges.num_bins
    spectral = {spec_dim: CoordTemplate((spec_dim,), edges.unit, bin_edges=True)}
    roi_coords = {"roi": CoordTemplate(("roi",), None), **spectral}

    def image(title: str) -> OutputTemplate:
        return OutputTemplate(title, screen_dims, "counts", screen_shape, image_coords)

    def scalar(title: str) -> OutputTemplate:
        return OutputTemplate(title, (), "counts")

    def roi_shape(title: str, dim: str) -> OutputTemplate:
        coords = {
            "x": CoordTemplate((dim,), screen_unit),
            "y": CoordTemplate((dim,), screen_unit),
            "roi_index": CoordTemplate((dim,), None),
        }
        return OutputTemplate(title, (dim,), None, (None,), coords)

    return {
        "cumulative": image("Detector image since start"),
        "current": image("Detector image, latest window"),
        "counts_total": scalar("Counts in the latest window"),
        "counts_total_cumulative": scalar("Counts since start"),
        "spectrum_current": OutputTemplate(
            "Spectrum of all pixels, latest window",
            (spec_dim,),
            "counts",
            (n_bins,),
            spectral,
        ),
        "roi_spectra": OutputTemplate(
            "ROI spectra since the ROI was set",
            ("roi", spec_dim),
            "counts",
            (None, n_bins),
            roi_coords,
        ),
        "roi_spectra_current": OutputTemplate(
            "ROI spectra, latest window",
            ("roi", spec_dim),
            "counts",
            (None, n_bins),
            roi_coords,
        ),
        "roi_rectangle": roi_shape("Confirmed rectangle ROIs", "bounds"),
        "roi_polygon": roi_shape("Confirmed polygon ROIs", "vertex"),
    }


def detector_view_spec(
    *,
    instrument: str,
    name: str,
    source_names: tuple[str, ...],
    title: str,
    screen_dims: tuple[str, str] = ("y", "x"),
    screen_shape: tuple[int, int],
    screen_unit: str | None = "m",
    description: str = "",
    group: str = "Detector views",
) -> WorkflowSpec:
    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace="detector_data",
        title=title,
        description=description,
        group=group,
        source_names=source_names,
        params=DetectorViewParams,
        outputs=detector_view_outputs(screen_dims, screen_shape, screen_unit),
        accepts_roi=True,
        output_templates=partial(
            _templates_for, screen_dims, screen_shape, screen_unit
        ),
    )


def _templates_for(
    screen_dims: tuple[str, str],
    screen_shape: tuple[int, int],
    screen_unit: str | None,
    params: BaseModel | None,
    source_name: str | None,
) -> dict[str, OutputTemplate]:
    assert params is None or isinstance(params, DetectorViewParams)
    return detector_view_outputs(screen_dims, screen_shape, screen_unit, params)
