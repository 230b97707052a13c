"""Overlays drawn on a cell's base figure (D13): ROI readback and static layers.

A cell stacks layers bottom first (``livedata.control.overlays`` says which
stacks are allowed). The base layer's presenter owns the figure; an overlay
presenter adds its glyphs to that figure and never has a model of its own.

- ROI readback (D12): the ROIs the detector view says it applied, from its
  ``roi_rectangle`` and ``roi_polygon`` outputs of one job, drawn solid and
  filled, in the colour of each ROI index. It is redrawn only when the shapes
  change, so the page's latency probe fires once per confirmation.
- Static lines and rectangles: positions from params only (the synthetic
  static workflow), drawn once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bokeh.models import ColumnDataSource, Label, Span

from ..control.roi import RoiError, RoiRequest, roi_colour

if TYPE_CHECKING:
    import scipp as sc

    from .compute import Frame

READBACK_FILL_ALPHA = 0.18
STATIC_COLOUR = "#444444"


@dataclass(frozen=True)
class ReadbackState:
    """The ROIs a job's detector view applied, as of its latest result."""

    shapes: RoiRequest | None  # None: the readback could not be read
    time_ms: float
    problem: str | None = None


def readback(
    frames: Sequence[Frame], params: Any, extra: Mapping[str, sc.DataArray | None]
) -> ReadbackState | None:
    """Stage 1 of the readback: both wire arrays of one job as shapes."""
    if not frames:
        return None
    _source, own = frames[0]
    other = next(iter(extra.values()), None) if extra else None
    name = str(own.dims[0]) if own.ndim else ""
    rect, poly = (own, other) if name == "bounds" else (other, own)
    time_ms = _time_ms(own)
    try:
        return ReadbackState(RoiRequest.from_dataarrays(rect, poly), time_ms)
    except RoiError as error:
        return ReadbackState(None, time_ms, f"unreadable ROI readback: {error}")


def _time_ms(da: sc.DataArray) -> float:
    from .compute import _time_ms as frame_time

    return frame_time(da)


def shape_columns(
    shapes: RoiRequest | None,
) -> tuple[dict[str, list], dict[str, list]]:
    """Bokeh columns (quads, patches) of a set of shapes, coloured by ROI index."""
    quads: dict[str, list] = {
        "left": [],
        "right": [],
        "bottom": [],
        "top": [],
        "color": [],
        "roi": [],
    }
    patches: dict[str, list] = {"xs": [], "ys": [], "color": [], "roi": []}
    if shapes is None:
        return quads, patches
    indices = shapes.indices
    for index, r in zip(indices, shapes.rectangles, strict=False):
        quads["left"].append(r.x0)
        quads["right"].append(r.x1)
        quads["bottom"].append(r.y0)
        quads["top"].append(r.y1)
        quads["color"].append(roi_colour(index))
        quads["roi"].append(index)
    for index, p in zip(
        indices[len(shapes.rectangles) :], shapes.polygons, strict=True
    ):
        patches["xs"].append(list(p.x))
        patches["ys"].append(list(p.y))
        patches["color"].append(roi_colour(index))
        patches["roi"].append(index)
    return quads, patches


class ReadbackPresenter:
    """Solid, filled shapes of the confirmed ROIs, on the base figure."""

    model = None  # draws on the base layer's figure

    def __init__(self, params: Any, figure: Any) -> None:
        width = getattr(params, "line_width", 2.0)
        quads, patches = shape_columns(None)
        self.quads = ColumnDataSource(
            {**quads, "t": []}, tags=["roi-readback-rectangles"]
        )
        self.patches = ColumnDataSource(
            {**patches, "t": []}, tags=["roi-readback-polygons"]
        )
        style = {
            "line_color": "color",
            "fill_color": "color",
            "fill_alpha": READBACK_FILL_ALPHA,
            "line_width": width,
            "line_dash": "solid",
        }
        figure.quad(
            left="left", right="right", bottom="bottom", top="top",
            source=self.quads, **style,
        )  # fmt: skip
        figure.patches(xs="xs", ys="ys", source=self.patches, **style)
        self.source = self.quads  # the page's latency probe watches this one
        self.shown: RoiRequest | None = None
        self.last: ReadbackState | None = None
        self.frames = 0

    @property
    def sources(self) -> list[ColumnDataSource]:
        return [self.quads, self.patches]

    def render(self, state: ReadbackState | None) -> None:
        if state is None:
            return
        self.last = state
        shapes = state.shapes
        if shapes is None or (self.shown is not None and shapes == self.shown):
            return
        self.shown = shapes
        quads, patches = shape_columns(shapes)
        t = state.time_ms
        # Patches first: the probe on the quads then sees the whole change.
        self.patches.data = {**patches, "t": [t] * len(patches["xs"])}
        self.quads.data = {**quads, "t": [t] * len(quads["left"])}
        self.frames += 1

    def fit(self) -> None:
        pass


class StaticPresenter:
    """Vertical or horizontal lines, or rectangles, from params (drawn once)."""

    model = None

    def __init__(self, kind: str, params: Any, figure: Any) -> None:
        self.kind = kind
        self.spans: list[Span] = []
        label = getattr(params, "label", "")
        if kind in ("vlines", "hlines"):
            dimension = "height" if kind == "vlines" else "width"
            for position in params.positions:
                span = Span(
                    location=position,
                    dimension=dimension,
                    line_color=STATIC_COLOUR,
                    line_dash="dotted",
                    line_width=1.5,
                    tags=[f"static-{kind}"],
                )
                figure.add_layout(span)
                self.spans.append(span)
            if label and params.positions:
                first = params.positions[0]
                figure.add_layout(
                    Label(
                        x=first if kind == "vlines" else 0,
                        y=0 if kind == "vlines" else first,
                        x_units="data" if kind == "vlines" else "screen",
                        y_units="screen" if kind == "vlines" else "data",
                        text=label,
                        text_font_size="9pt",
                        text_color=STATIC_COLOUR,
                    )
                )
        elif kind == "rectangles":
            rects = params.rectangles
            self.source = ColumnDataSource(
                {
                    "left": [r.x0 for r in rects],
                    "right": [r.x1 for r in rects],
                    "bottom": [r.y0 for r in rects],
                    "top": [r.y1 for r in rects],
                },
                tags=["static-rectangles"],
            )
            figure.quad(
                left="left", right="right", bottom="bottom", top="top",
                source=self.source, line_color=STATIC_COLOUR, line_dash="dotted",
                fill_color=STATIC_COLOUR, fill_alpha=0.08,
            )  # fmt: skip
        else:
            raise ValueError(f"{kind} is not a static layer")
        self.frames = 1

    def render(self, state: Any) -> None:
        pass

    def fit(self) -> None:
        pass
