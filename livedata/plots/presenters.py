"""Stage 2 of plotting (D2): one presenter per layer per session.

A presenter owns its session's Bokeh models and copies a feed's computed state
into them, only when the feed's version moved (D3). Its autoscalers (D17) are
per session: toggling autoscale or pressing "fit" in one tab leaves the others
alone. Every image and line source carries ``t`` (data time of the frame, ms)
so the page can measure publish-to-paint latency (``paint_probe.LATENCY_JS``).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
from bokeh.core.property.descriptors import UnsetValueError
from bokeh.models import (
    BasicTicker,
    ColorBar,
    ColumnDataSource,
    DataTable,
    Div,
    FactorRange,
    HoverTool,
    Legend,
    LegendItem,
    LinearColorMapper,
    LogColorMapper,
    Range1d,
    TableColumn,
)
from bokeh.palettes import (
    Category10_10,
    Cividis256,
    Greys256,
    Inferno256,
    Magma256,
    Plasma256,
    Viridis256,
)
from bokeh.plotting import figure

from ..control.roi import roi_colour
from .autoscale import Autoscaler
from .compute import BarsState, ImageState, LinesState, NumberState, TableState
from .screen_fit import fitted, screen_factors

PALETTES = {
    "viridis": Viridis256,
    "inferno": Inferno256,
    "magma": Magma256,
    "plasma": Plasma256,
    "cividis": Cividis256,
    "gray": Greys256,
}
TOOLS = "pan,wheel_zoom,box_zoom,reset,save,hover"


class Presenter(Protocol):
    model: Any  # the Bokeh model shown in the cell

    def render(self, state: Any) -> None: ...

    def fit(self) -> None: ...


def _figure(**kwargs: Any) -> Any:
    fig = figure(
        sizing_mode="stretch_both",
        tools=TOOLS,
        toolbar_location="right",
        min_height=120,
        min_width=160,
        **kwargs,
    )
    fig.toolbar.logo = None
    return fig


def _laid_out(model: Any, attr: str) -> int | None:
    """A size the browser reports back (``None`` until it has laid out)."""
    try:
        return getattr(model, attr)
    except UnsetValueError:
        return None


def _image_tooltips(
    factors: tuple[int, int], downsampled: int = 1
) -> list[tuple[str, str]]:
    """Hover on an image; an averaged one says over how many data bins (the
    plotter's cap on large images times this plot's fit to its pixels)."""
    tips = [("x", "$x"), ("y", "$y"), ("value", "@image")]
    rows, cols = factors[0] * downsampled, factors[1] * downsampled
    if (rows, cols) != (1, 1):
        more = " (zoom in for more)" if factors != (1, 1) else ""
        tips.append(("mean of", f"{rows}x{cols} bins{more}"))
    return tips


def _set_range(rng: Range1d, new: tuple[float, float] | None) -> None:
    if new is not None and all(math.isfinite(v) for v in new) and new[1] > new[0]:
        rng.start, rng.end = new


class ImagePresenter:
    def __init__(self, params: Any) -> None:
        self.params = params
        log = getattr(params, "color_scale", "linear") == "log"
        palette = PALETTES.get(getattr(params, "colormap", "viridis"), Viridis256)
        mapper_cls = LogColorMapper if log else LinearColorMapper
        self.mapper = mapper_cls(palette=palette, nan_color="rgba(0,0,0,0)")
        self.color = Autoscaler(log=log)
        self.source = ColumnDataSource(
            {
                "image": [np.zeros((1, 1), np.float32)],
                "x": [0.0],
                "y": [0.0],
                "dw": [1.0],
                "dh": [1.0],
                "t": [math.nan],
            }
        )
        self.model = _figure(x_range=Range1d(0, 1), y_range=Range1d(0, 1))
        renderer = self.model.image(
            image="image",
            x="x",
            y="y",
            dw="dw",
            dh="dh",
            source=self.source,
            color_mapper=self.mapper,
        )
        # Hover reads the image only (not the ROI shapes drawn over it).
        hover = self.hover = self.model.select_one(HoverTool)
        hover.renderers = [renderer]
        hover.tooltips = _image_tooltips((1, 1))
        self.model.add_layout(
            ColorBar(color_mapper=self.mapper, ticker=BasicTicker(), width=10), "right"
        )
        self._extent: tuple[Any, ...] = ()
        self.frames = 0
        self.factors = (1, 1)  # bins per drawn pixel block (rows, columns)
        self._drawing = False
        for model, attr in [
            (self.model, "inner_width"),
            (self.model, "inner_height"),
            (self.model.x_range, "start"),
            (self.model.x_range, "end"),
            (self.model.y_range, "start"),
            (self.model.y_range, "end"),
        ]:
            model.on_change(attr, self._refit)

    def render(self, state: ImageState | None) -> None:
        if state is None:
            return
        self.last = state
        extent = (state.x_range, state.y_range, state.x_label, state.y_label)
        if extent != self._extent:
            self._extent = extent
            self._drawing = True  # the range callbacks below must not redraw
            try:
                _set_range(self.model.x_range, state.x_range)
                _set_range(self.model.y_range, state.y_range)
            finally:
                self._drawing = False
            self.model.xaxis.axis_label = state.x_label
            self.model.yaxis.axis_label = state.y_label
        self._draw(state, state.time_ms)
        self._color(state, fit=False)
        self.frames += 1

    def _factors(self, state: ImageState) -> tuple[int, int]:
        m = self.model
        return screen_factors(
            state.values.shape,
            (state.x_range, state.y_range),
            ((m.x_range.start, m.x_range.end), (m.y_range.start, m.y_range.end)),
            (_laid_out(m, "inner_width"), _laid_out(m, "inner_height")),
        )

    def _draw(self, state: ImageState, time_ms: float) -> None:
        factors = self._factors(state)
        (x0, x1), (y0, y1) = state.x_range, state.y_range
        self.source.data = {
            "image": [fitted(state.values, factors, state.screen_cache)],
            "x": [x0],
            "y": [y0],
            "dw": [x1 - x0],
            "dh": [y1 - y0],
            "t": [time_ms],
        }
        tips = _image_tooltips(factors, state.downsampled)
        if tips != self.hover.tooltips:
            self.hover.tooltips = tips
        self.factors = factors

    def _refit(self, attr: str, old: Any, new: Any) -> None:
        """Plot resized or zoomed: redraw the last frame at the new resolution.

        Stamped with no data time (NaN): it is not a new frame, and the page's
        latency probe skips it.
        """
        last = getattr(self, "last", None)
        if self._drawing or last is None or self._factors(last) == self.factors:
            return
        self._draw(last, math.nan)

    def _color(self, state: ImageState, fit: bool) -> None:
        p = self.params
        fixed_low, fixed_high = (
            getattr(p, "color_min", None),
            getattr(p, "color_max", None),
        )
        new = None
        if getattr(p, "autoscale_color", True) or fit or self.color.current is None:
            update = self.color.fit if fit else self.color.update
            new = update(state.low, state.high)
        low, high = new if new is not None else (None, None)
        if fixed_low is not None:
            low = fixed_low
        if fixed_high is not None:
            high = fixed_high
        if low is not None:
            self.mapper.low = low
        if high is not None:
            self.mapper.high = high

    def fit(self) -> None:
        last = getattr(self, "last", None)
        if last is not None:
            self._color(last, fit=True)
            _set_range(self.model.x_range, last.x_range)
            _set_range(self.model.y_range, last.y_range)


class LinesPresenter:
    def __init__(self, params: Any, datetime_x: bool = False) -> None:
        self.params = params
        log_y = getattr(params, "y_scale", "linear") == "log"
        self.x_scale = Autoscaler()
        self.y_scale = Autoscaler(log=log_y)
        self.model = _figure(
            x_range=Range1d(0, 1),
            y_range=Range1d(0.1 if log_y else 0, 1),
            x_axis_type="datetime" if datetime_x else "linear",
            y_axis_type="log" if log_y else "linear",
        )
        self.legend = Legend(items=[], click_policy="hide", location="top_right")
        self.model.add_layout(self.legend)
        self.sources: dict[str, ColumnDataSource] = {}
        self.renderers: dict[str, Any] = {}
        self.source_hook: Any = None  # called with each new source (latency probe)
        self.frames = 0
        self.last: LinesState | None = None

    def _source(self, label: str, roi: int | None = None) -> ColumnDataSource:
        source = self.sources.get(label)
        if source is None:
            # Tagged with the curve's label, so a page (or a test) can find it.
            source = self.sources[label] = ColumnDataSource(
                {"x": [], "y": [], "t": []}, tags=[label]
            )
            if self.source_hook is not None:
                self.source_hook(source)
            # An ROI spectrum has its ROI's colour (the shape's, D12).
            color = (
                roi_colour(roi)
                if roi is not None
                else Category10_10[(len(self.sources) - 1) % 10]
            )
            renderer = self.model.line(
                "x", "y", source=source, color=color, line_width=2
            )
            self.renderers[label] = renderer
            self.legend.items = [
                *self.legend.items,
                LegendItem(label=label, renderers=[renderer]),
            ]
            self.legend.visible = len(self.sources) > 1
        return source

    def render(self, state: LinesState | None) -> None:
        if state is None:
            return
        shown = set()
        for curve in state.curves:
            shown.add(curve.label)
            self._source(curve.label, curve.roi).data = {
                "x": curve.x,
                "y": curve.y,
                "t": np.full(curve.x.size, state.time_ms),
            }
            self.renderers[curve.label].visible = True
        for label, source in self.sources.items():
            if label not in shown and self.renderers[label].visible:
                # Gone from the data (an ROI removed): hidden, never stale.
                source.data = {"x": [], "y": [], "t": []}
                self.renderers[label].visible = False
        self.model.xaxis.axis_label = state.x_label
        self.model.yaxis.axis_label = state.y_label
        self.last = state
        self._scale(fit=False)
        self.frames += 1

    def _scale(self, fit: bool) -> None:
        state = self.last
        if state is None:
            return
        for scaler, rng, data, on in (
            (self.x_scale, self.model.x_range, state.x_range, "autoscale_x"),
            (self.y_scale, self.model.y_range, state.y_range, "autoscale_y"),
        ):
            if fit or scaler.current is None:
                _set_range(rng, scaler.fit(*data))
            elif getattr(self.params, on, True):
                _set_range(rng, scaler.update(*data))

    def fit(self) -> None:
        self._scale(fit=True)


class BarsPresenter:
    def __init__(self, params: Any) -> None:
        self.params = params
        self.y_scale = Autoscaler()
        self.source = ColumnDataSource({"label": [], "value": []})
        self.model = _figure(x_range=FactorRange(), y_range=Range1d(0, 1))
        self.model.vbar(x="label", top="value", width=0.8, source=self.source)
        self.last: BarsState | None = None
        self.frames = 0

    def render(self, state: BarsState | None) -> None:
        if state is None:
            return
        if list(self.model.x_range.factors) != list(state.labels):
            self.model.x_range.factors = list(state.labels)
        self.source.data = {"label": list(state.labels), "value": state.values}
        self.model.yaxis.axis_label = state.y_label
        self.last = state
        if self.y_scale.current is None or getattr(self.params, "autoscale_y", True):
            _set_range(self.model.y_range, self.y_scale.update(*state.y_range))
        self.frames += 1

    def fit(self) -> None:
        if self.last is not None:
            _set_range(self.model.y_range, self.y_scale.fit(*self.last.y_range))


class TablePresenter:
    def __init__(self, params: Any) -> None:
        self.source = ColumnDataSource({})
        self.model = DataTable(
            source=self.source,
            columns=[],
            sizing_mode="stretch_both",
            index_position=None,
        )
        self.frames = 0

    def render(self, state: TableState | None) -> None:
        if state is None:
            return
        names = [c.field for c in self.model.columns]
        if names != list(state.columns):
            self.model.columns = [TableColumn(field=c, title=c) for c in state.columns]
        self.source.data = {
            c: [row[i] for row in state.rows] for i, c in enumerate(state.columns)
        }
        self.frames += 1

    def fit(self) -> None:
        pass


class NumberPresenter:
    def __init__(self, params: Any) -> None:
        self.model = Div(
            text="—",
            sizing_mode="stretch_both",
            styles={"font-size": "3em", "text-align": "center"},
        )
        self.frames = 0

    def render(self, state: NumberState | None) -> None:
        if state is None:
            return
        parts = (
            "<br>".join(f"{s}: {v}" for s, v in state.parts)
            if len(state.parts) > 1
            else ""
        )
        self.model.text = (
            f"<div class='big-number'>{state.text}"
            f"<span style='font-size:0.4em'> {state.unit}</span></div>"
            f"<div style='font-size:0.3em'>{parts}</div>"
        )
        self.frames += 1

    def fit(self) -> None:
        pass


def _correlation(params: Any) -> Presenter:
    """A 1-D correlation histogram is a curve, a 2-D one an image (D14)."""
    return ImagePresenter(params) if params.y_axis else LinesPresenter(params)


PRESENTERS: dict[str, Any] = {
    "image": ImagePresenter,
    "slicer": ImagePresenter,
    "lines": LinesPresenter,
    "timeseries": lambda params: LinesPresenter(params, datetime_x=True),
    "bars": BarsPresenter,
    "table": TablePresenter,
    "number": NumberPresenter,
    "correlation": _correlation,
}


def make_presenter(plotter: str, params: Any, figure: Any = None) -> Presenter:
    """A presenter for a plotter of the registry; new plotters add theirs to
    ``PRESENTERS``. An overlay (``figure`` given) draws on its base's figure."""
    if figure is not None:
        from .overlay_layers import ReadbackPresenter

        if plotter == "roi_readback":
            return ReadbackPresenter(params, figure)
        raise ValueError(f"{plotter} is not an overlay drawn from data")
    try:
        return PRESENTERS[plotter](params)
    except KeyError:
        raise ValueError(f"no presenter for plotter {plotter!r}") from None
