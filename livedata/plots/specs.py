"""Plotter registry (D10): which plotters fit an output, and their params.

Selection looks at an output's template (dims, shape) from the workflow spec,
never at its name (outputs may be renamed), so a cell can be offered plotters
before any data arrives. Params are pydantic models, edited through generated
widgets (``livedata.plots.widgets``). Three categories: data plotters draw a
workflow output and may be a cell's base layer; overlays (the ROI readback and
the editable ROI request, D12) draw over an image; static plotters draw from
their params only (lines and rectangles, D13). A plotter that reads more than
its own output (the correlation histogram's axes, D14; the polygon half of an
ROI readback) names those extra inputs through ``PlotterSpec.inputs``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..control.overlays import StaticLines, StaticRectangles
from ..control.roi import Polygon, Rectangle, RoiError, RoiRequest
from ..core.validation import validation_problems
from ..core.workflow_spec import OutputTemplate

TIME_DIM = "time"
CURVE_DIMS = frozenset({"roi"})


class Category(StrEnum):
    DATA = "data"  # draws a workflow output; a cell's base layer
    OVERLAY = "overlay"  # draws over a base layer: ROI readback and request
    STATIC = "static"  # draws from its params only (lines, rectangles)


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Autoscale(_Params):
    autoscale_x: bool = Field(default=True, description="Autoscale x")
    autoscale_y: bool = Field(default=True, description="Autoscale y")


class ImageParams(_Params):
    color_scale: Literal["linear", "log"] = Field("linear", description="Colour")
    colormap: Literal["viridis", "inferno", "magma", "plasma", "cividis", "gray"] = (
        Field("viridis", description="Colour map")
    )
    color_min: float | None = Field(None, description="Colour min (blank: auto)")
    color_max: float | None = Field(None, description="Colour max (blank: auto)")
    autoscale_color: bool = Field(True, description="Autoscale colour")


class LinesParams(Autoscale):
    y_scale: Literal["linear", "log"] = Field("linear", description="Y scale")


class TimeseriesParams(Autoscale):
    window_s: float = Field(300.0, gt=0, description="Window (s)")


class BarsParams(Autoscale):
    pass


class TableParams(_Params):
    digits: int = Field(4, ge=0, le=12, description="Significant digits")


class SlicerParams(ImageParams):
    slice_dim: str = Field("", description="Slice along (blank: first dim)")
    index: int = Field(0, ge=0, description="Slice index")


class NumberParams(_Params):
    digits: int = Field(4, ge=0, le=12, description="Significant digits")


@dataclass(frozen=True)
class AxisRef:
    """A correlation axis: one source's output of a workflow, whichever job
    publishes it (saved grids outlive job numbers). Written as
    ``workflow_id:output:source``."""

    workflow_id: str
    output: str
    source_name: str

    @classmethod
    def parse(cls, text: str) -> AxisRef:
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts) or parts[0].count("/") != 2:
            raise ValueError(
                f"axis {text!r} is not of the form workflow_id:output:source"
            )
        return cls(*parts)

    def __str__(self) -> str:
        return f"{self.workflow_id}:{self.output}:{self.source_name}"


class CorrelationParams(ImageParams):
    """Axes and bins of a correlation histogram (1-D with ``x_axis`` only)."""

    x_axis: str = Field("", description="X axis")
    x_start: float = Field(-100.0, description="X from")
    x_stop: float = Field(100.0, description="X to")
    x_bins: int = Field(50, ge=1, le=10_000, description="X bins")
    y_axis: str = Field("", description="Y axis (blank: 1-D)")
    y_start: float = Field(-100.0, description="Y from")
    y_stop: float = Field(100.0, description="Y to")
    y_bins: int = Field(50, ge=1, le=10_000, description="Y bins")
    normalisation: Literal["counts", "per_second"] = Field(
        "counts", description="Normalisation"
    )

    @model_validator(mode="after")
    def _axes(self) -> CorrelationParams:
        if not self.x_axis:
            raise ValueError("choose an x axis")
        AxisRef.parse(self.x_axis)
        if not self.x_start < self.x_stop:
            raise ValueError(
                f"x bins need from < to, got {self.x_start:g}, {self.x_stop:g}"
            )
        if self.y_axis:
            AxisRef.parse(self.y_axis)
            if self.y_axis == self.x_axis:
                raise ValueError("the y axis must differ from the x axis")
            if not self.y_start < self.y_stop:
                raise ValueError(
                    f"y bins need from < to, got {self.y_start:g}, {self.y_stop:g}"
                )
        return self

    def axes(self) -> tuple[AxisRef, ...]:
        refs = (self.x_axis, self.y_axis) if self.y_axis else (self.x_axis,)
        return tuple(AxisRef.parse(r) for r in refs)


class RoiReadbackParams(_Params):
    line_width: float = Field(2.0, gt=0, le=10, description="Line width")


class PolygonParams(_Params):
    x: tuple[float, ...]
    y: tuple[float, ...]


class RoiRequestParams(_Params):
    """The shapes drawn so far, kept with the grid and restored (D12)."""

    rectangles: tuple[tuple[float, float, float, float], ...] = Field(
        (), description="Rectangles x0,x1,y0,y1"
    )
    polygons: tuple[PolygonParams, ...] = Field((), description="Polygons")

    @model_validator(mode="after")
    def _valid(self) -> RoiRequestParams:
        try:
            self.request(None)
        except RoiError as error:
            raise ValueError(str(error)) from None
        return self

    def request(self, unit: str | None) -> RoiRequest:
        return RoiRequest(
            tuple(Rectangle(*r) for r in self.rectangles),
            tuple(Polygon(p.x, p.y) for p in self.polygons),
            unit,
        )

    @classmethod
    def of(cls, request: RoiRequest) -> RoiRequestParams:
        return cls(
            rectangles=tuple((r.x0, r.x1, r.y0, r.y1) for r in request.rectangles),
            polygons=tuple(PolygonParams(x=p.x, y=p.y) for p in request.polygons),
        )


@dataclass(frozen=True)
class Input:
    """An output a plotter reads besides its layer's own (``PlotterSpec.inputs``).

    ``same_job``: from the job of the layer's own result (the polygon readback
    of the job whose rectangles are drawn); else the newest job's.
    """

    role: str
    workflow_id: str
    output: str
    source_name: str
    history: bool = False
    same_job: bool = False


@dataclass(frozen=True)
class PlotterSpec:
    """A plotter: what it needs of an output and how it is configured."""

    name: str
    title: str
    needs: str  # what it accepts, in words, for messages
    params: type[BaseModel]
    accepts: Callable[[Sequence[str], Sequence[int | None]], bool]
    category: Category = Category.DATA
    # The extractor a layer reads through: "latest" or "history" (0-d series).
    history: bool = False
    # Extra outputs read besides the layer's own: (workflow_id, output,
    # source_names, params) -> inputs.
    inputs: Callable[[str, str, Sequence[str], Any], tuple[Input, ...]] | None = None

    def validate(self, params: dict[str, Any] | None) -> BaseModel:
        """The params model; ``ValueError`` with a one-line reason if rejected."""
        try:
            return self.params.model_validate(dict(params or {}))
        except ValidationError as error:
            reasons = validation_problems(error, "plotter_params")
            raise ValueError(f"{self.name}: {reasons}") from None


def _image(dims: Sequence[str], shape: Sequence[int | None]) -> bool:
    return len(dims) == 2 and not CURVE_DIMS & set(dims)


def _lines(dims: Sequence[str], shape: Sequence[int | None]) -> bool:
    return len(dims) == 1 or (len(dims) == 2 and bool(CURVE_DIMS & set(dims)))


def _series(dims: Sequence[str], shape: Sequence[int | None]) -> bool:
    return len(dims) == 0 or tuple(dims) == (TIME_DIM,)


def _roi_output(dims: Sequence[str], shape: Sequence[int | None]) -> bool:
    return tuple(dims) in (("bounds",), ("vertex",))


def _correlation_inputs(
    workflow_id: str, output: str, sources: Sequence[str], params: Any
) -> tuple[Input, ...]:
    return tuple(
        Input(role, a.workflow_id, a.output, a.source_name, history=True)
        for role, a in zip(("x", "y"), params.axes(), strict=False)
    )


def _polygon_readback(
    workflow_id: str, output: str, sources: Sequence[str], params: Any
) -> tuple[Input, ...]:
    other = "roi_polygon" if output == "roi_rectangle" else "roi_rectangle"
    return (Input(other, workflow_id, other, sources[0], same_job=True),)


_REGISTRY: dict[str, PlotterSpec] = {}


def register(spec: PlotterSpec) -> PlotterSpec:
    if spec.name in _REGISTRY:
        raise ValueError(f"plotter {spec.name!r} registered twice")
    _REGISTRY[spec.name] = spec
    return spec


for _spec in (
    PlotterSpec("image", "Image", "a 2-d output", ImageParams, _image),
    PlotterSpec(
        "lines", "Lines", "a 1-d output (or 2-d with a roi dim)", LinesParams, _lines
    ),
    PlotterSpec(
        "timeseries",
        "Time series",
        "a 0-d output or one along 'time'",
        TimeseriesParams,
        _series,
        history=True,
    ),
    PlotterSpec(
        "bars", "Bars", "a 0-d or 1-d output", BarsParams, lambda d, s: len(d) <= 1
    ),
    PlotterSpec(
        "table", "Table", "a 0-d output or one along 'time'", TableParams, _series
    ),
    PlotterSpec(
        "slicer",
        "Slicer",
        "an output of 3 or more dims",
        SlicerParams,
        lambda d, s: len(d) >= 3,
    ),
    PlotterSpec(
        "number", "Big number", "a 0-d output", NumberParams, lambda d, s: len(d) == 0
    ),
    PlotterSpec(
        "correlation",
        "Correlation histogram",
        "a 0-d output (histogrammed against 1 or 2 axes)",
        CorrelationParams,
        lambda d, s: len(d) == 0,
        history=True,
        inputs=_correlation_inputs,
    ),
    PlotterSpec(
        "roi_readback",
        "ROI readback",
        "a detector view's ROI output",
        RoiReadbackParams,
        _roi_output,
        category=Category.OVERLAY,
        inputs=_polygon_readback,
    ),
    PlotterSpec(
        "roi_request",
        "ROI tools",
        "a detector view's ROI output",
        RoiRequestParams,
        _roi_output,
        category=Category.OVERLAY,
    ),
    PlotterSpec(
        "vlines",
        "Vertical lines",
        "params only",
        StaticLines,
        lambda d, s: False,
        category=Category.STATIC,
    ),
    PlotterSpec(
        "hlines",
        "Horizontal lines",
        "params only",
        StaticLines,
        lambda d, s: False,
        category=Category.STATIC,
    ),
    PlotterSpec(
        "rectangles",
        "Rectangles",
        "params only",
        StaticRectangles,
        lambda d, s: False,
        category=Category.STATIC,
    ),
):
    register(_spec)


def plotter(name: str) -> PlotterSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise ValueError(f"unknown plotter {name!r}; known: {known}") from None


def plotters() -> tuple[PlotterSpec, ...]:
    return tuple(_REGISTRY.values())


def plotters_for(template: OutputTemplate) -> tuple[PlotterSpec, ...]:
    """Data plotters that can draw an output, best first, from its template."""
    shape = template.shape or (None,) * template.ndim
    return tuple(
        spec
        for spec in _REGISTRY.values()
        if spec.category is Category.DATA and spec.accepts(template.dims, shape)
    )


def default_plotter(template: OutputTemplate) -> PlotterSpec | None:
    fitting = plotters_for(template)
    return fitting[0] if fitting else None
