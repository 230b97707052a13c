"""Plotter registry (D10): which plotters fit an output, and their params.

Selection looks at an output's template (dims, shape) from the workflow spec,
never at its name (outputs may be renamed), so a cell can be offered plotters
before any data arrives. Params are pydantic models, edited through generated
widgets (``livedata.plots.widgets``). New plotters (ROI overlays, correlation
histograms) register here with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..core.validation import validation_problems
from ..core.workflow_spec import OutputTemplate

TIME_DIM = "time"
CURVE_DIMS = frozenset({"roi"})


class Category(StrEnum):
    DATA = "data"  # draws a workflow output
    STATIC = "static"  # draws from its params only (overlays, next issue)


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
