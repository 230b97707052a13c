"""Drawing a job's regions of interest on its image (D12), per browser session.

The ``roi_request`` layer of an image cell adds two Bokeh edit tools to the
cell's figure: a box tool for rectangles (shift+drag draws, drag moves,
Backspace deletes a selected one) and a polygon tool (press to start, tap the
vertices, press to finish), at most four of each. These are the tools
HoloViews' ``BoxEdit`` and ``PolyDraw`` streams wrap; the cell is a plain
Bokeh figure fed by presenters (D2-D4), so the tools are attached to it
directly and their data source is the stream.

The tools sync their data to the server once per finished edit (at the end of
a drag or a draw; a polygon still being drawn, whose last vertex follows the
mouse, is held back). Each finished edit becomes a validated ``RoiRequest``
for the job whose image is drawn and goes through ``RoiPublisher`` (at most a
few messages a second; only the shape kinds that changed), then through
``RoiOutbox``, whose thread alone talks to Kafka (D15). Removing every shape
publishes "no ROI". The request is kept with the grid (the layer's params), so
it is restored with the page; when the layer first sees its job (a new page, a
restarted job) and the service's readback differs, the kept request is sent,
or, with none kept, the service's ROIs become the editable ones.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import panel as pn
from bokeh.models import BoxEditTool, ColumnDataSource, PolyDrawTool

from ..control.roi import (
    FIRST_POLYGON_INDEX,
    MAX_POLYGONS,
    MAX_RECTANGLES,
    Polygon,
    Rectangle,
    RoiError,
    RoiRequest,
    roi_colour,
)
from ..control.roi_publisher import RoiPublisher
from ..control.roi_readback import RoiState, RoiSync
from .overlay_layers import shape_columns
from .specs import RoiRequestParams

if TYPE_CHECKING:
    from ..core.message import Message

logger = logging.getLogger(__name__)

REQUEST_FILL_ALPHA = 0.04
BOX_TOOL = "ROI rectangles: shift+drag to draw, drag to move, Backspace deletes"
POLY_TOOL = "ROI polygons: press to start, tap vertices, press to finish"
PENDING_COLOUR = "#888888"  # a new shape until the server colours it


class RoiOutbox:
    """ROI messages sent on a thread of their own: a browser callback only
    queues (a Kafka send may wait for delivery, D15)."""

    def __init__(self, send: Callable[[Message[Any]], None]) -> None:
        self._send = send
        self._queue: queue.SimpleQueue[Message[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.errors = 0
        self.last_error: str | None = None

    def put(self, message: Message[Any]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="plots-roi-sender", daemon=True
                )
                self._thread.start()
        self._queue.put(message)

    def _run(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._send(message)
                self.sent += 1
                self.last_error = None
            except Exception as error:  # shown in the cell, never raised
                self.errors += 1
                self.last_error = str(error)
                logger.warning("ROI not sent: %s", error)

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)


@dataclass(frozen=True)
class Edit:
    """What the tools' columns say: the request, whether a polygon is still
    being drawn (held back), and shapes that cannot be sent (why)."""

    request: RoiRequest
    drawing: bool = False
    problems: tuple[str, ...] = ()


def _vertices(xs: Sequence[float], ys: Sequence[float]) -> list[tuple[float, float]]:
    """Vertices without consecutive repeats, nor a closing copy of the first."""
    out: list[tuple[float, float]] = []
    for point in zip((float(x) for x in xs), (float(y) for y in ys), strict=True):
        if not out or point != out[-1]:
            out.append(point)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def request_from_columns(
    quads: Mapping[str, Sequence[Any]],
    patches: Mapping[str, Sequence[Any]],
    unit: str | None,
) -> Edit:
    """The request the tools' data sources describe (pure: unit-tested)."""
    rectangles: list[Rectangle] = []
    polygons: list[Polygon] = []
    problems: list[str] = []
    for left, right, bottom, top in zip(
        quads.get("left", ()),
        quads.get("right", ()),
        quads.get("bottom", ()),
        quads.get("top", ()),
        strict=True,
    ):
        try:
            rectangles.append(
                Rectangle(
                    min(left, right),
                    max(left, right),
                    min(bottom, top),
                    max(bottom, top),
                )
            )
        except (RoiError, TypeError) as error:
            problems.append(f"rectangle not sent: {error}")
    drawing = False
    all_xs, all_ys = list(patches.get("xs", ())), list(patches.get("ys", ()))
    for k, (xs, ys) in enumerate(zip(all_xs, all_ys, strict=True)):
        xs, ys = list(xs), list(ys)
        last = k == len(all_xs) - 1
        # The polygon tool repeats the last vertex while a polygon is drawn
        # (the copy follows the mouse): not finished, not sent yet.
        if last and len(xs) >= 2 and (xs[-1], ys[-1]) == (xs[-2], ys[-2]):
            drawing = True
            continue
        points = _vertices(xs, ys)
        try:
            polygons.append(Polygon.from_points(points))
        except RoiError as error:
            problems.append(f"polygon not sent: {error}")
    return Edit(
        RoiRequest(
            tuple(rectangles[:MAX_RECTANGLES]), tuple(polygons[:MAX_POLYGONS]), unit
        ),
        drawing,
        tuple(problems),
    )


def sync_text(state: RoiState, problems: Sequence[str] = ()) -> str:
    """One status line: how many ROIs, and whether the service has them."""
    request = state.request
    n = 0 if request is None else len(request.indices)
    what = f"{n} ROI{'s' if n != 1 else ''}" if n else "no ROI"
    sync = state.sync
    if sync is RoiSync.CONFIRMED and not n:
        text = "no ROI: draw one with the box (shift+drag) or polygon tool"
    elif sync is RoiSync.CONFIRMED:
        text = f"{what}: confirmed by the service ✓"
    elif sync is RoiSync.PENDING:
        text = f"{what}: sent, waiting for the service"
    else:
        text = f"{what}: no readback from the service yet"
    return " · ".join([text, *problems])


class RoiRequestLayer:
    """The editable ROIs of one image cell in one session."""

    model = None

    def __init__(
        self,
        *,
        params: RoiRequestParams,
        unit: str | None,
        figure: Any,
        source_name: str,
        job_of: Callable[[], Any],
        readback: Callable[[], tuple[Any, RoiRequest | None]],
        outbox: RoiOutbox | None,
        on_change: Callable[[RoiRequestParams], None],
    ) -> None:
        self.unit = unit
        self.request = params.request(unit)
        self.source_name = source_name
        self._job_of = job_of
        self._readback = readback
        self._outbox = outbox
        self._on_change = on_change
        self.job: Any = None
        self.publisher: RoiPublisher | None = None
        self._restore = False
        self._applying = False
        self.problems: tuple[str, ...] = ()
        quads, patches = shape_columns(self.request)
        keep = ("left", "right", "bottom", "top", "color")
        self.quads = ColumnDataSource(
            {k: quads[k] for k in keep}, tags=["roi-request-rectangles"]
        )
        self.patches = ColumnDataSource(
            {k: patches[k] for k in ("xs", "ys", "color")},
            tags=["roi-request-polygons"],
        )
        style = {
            "line_color": "color",
            "fill_color": "color",
            "fill_alpha": REQUEST_FILL_ALPHA,
            "line_width": 2,
            "line_dash": "dashed",
        }
        boxes = figure.quad(
            left="left", right="right", bottom="bottom", top="top",
            source=self.quads, **style,
        )  # fmt: skip
        shapes = figure.patches(xs="xs", ys="ys", source=self.patches, **style)
        self.box_tool = BoxEditTool(
            renderers=[boxes],
            num_objects=MAX_RECTANGLES,
            empty_value=PENDING_COLOUR,
            description=BOX_TOOL,
        )
        self.poly_tool = PolyDrawTool(
            renderers=[shapes],
            num_objects=MAX_POLYGONS,
            empty_value=PENDING_COLOUR,
            description=POLY_TOOL,
        )
        figure.add_tools(self.box_tool, self.poly_tool)
        self.quads.on_change("data", self._edited)
        self.patches.on_change("data", self._edited)
        self.status = pn.pane.HTML(
            "", sizing_mode="stretch_width", css_classes=["roi-status"]
        )
        self.clear_button = pn.widgets.Button(
            label="Clear ROIs", width=90, css_classes=["roi-clear"]
        )
        self.clear_button.on_click(lambda _e: self.clear())
        self.panel = pn.Row(self.status, self.clear_button, sizing_mode="stretch_width")
        self.frames = 0

    # -- edits (browser callbacks, the server's event loop) ----------------------

    def _edited(self, _attr: str, _old: Any, _new: Any) -> None:
        if self._applying:
            return
        edit = request_from_columns(self.quads.data, self.patches.data, self.unit)
        self.problems = edit.problems
        if not edit.drawing:
            self._recolour(edit.request)
        self.accept(edit.request)

    def accept(self, request: RoiRequest) -> None:
        """A finished edit: keep it with the grid and publish it (throttled)."""
        if request == self.request and self.publisher is not None:
            self.publisher.tick()
            return
        self.request = request
        self._on_change(RoiRequestParams.of(request))
        if self.publisher is not None:
            self.publisher.edit(request)
        self.refresh_status()

    def clear(self) -> None:
        """Remove every shape: "no ROI" for the job."""
        quads, patches = shape_columns(None)
        self._set_columns(quads, patches)
        self.problems = ()
        self.accept(RoiRequest(unit=self.unit))

    def _recolour(self, request: RoiRequest) -> None:
        """Colour each shape by the ROI index it will travel as (new shapes
        arrive grey from the tools)."""
        rect_colours = [roi_colour(k) for k in range(len(self.quads.data["left"]))]
        poly_colours = [
            roi_colour(FIRST_POLYGON_INDEX + k)
            for k in range(len(self.patches.data["xs"]))
        ]
        if (
            list(self.quads.data.get("color", [])) != rect_colours
            or list(self.patches.data.get("color", [])) != poly_colours
        ):
            self._set_columns(
                {**self.quads.data, "color": rect_colours},
                {**self.patches.data, "color": poly_colours},
            )

    def _set_columns(self, quads: dict, patches: dict) -> None:
        self._applying = True
        try:
            keep = ("left", "right", "bottom", "top", "color")
            self.quads.data = {k: list(quads.get(k, [])) for k in keep}
            self.patches.data = {
                k: list(patches.get(k, [])) for k in ("xs", "ys", "color")
            }
        finally:
            self._applying = False

    # -- the session's tick -------------------------------------------------------

    def tick(self) -> None:
        """Follow the drawn job; send a held-back edit or the kept request."""
        job = self._job_of()
        if job is not None and job != self.job and self._outbox is not None:
            self.job = job
            self.publisher = RoiPublisher(
                self._outbox.put, job.source_name, str(job.job_number)
            )
            self._restore = True
        if self.publisher is None:
            return
        if self._restore:
            readback_job, shapes = self._readback()
            if readback_job == self.job and shapes is not None:
                self._restore = False
                self._restored(shapes)
            return
        self.publisher.tick()

    def _restored(self, shapes: RoiRequest) -> None:
        """First readback of the job: send the kept request if the service has
        other ROIs; with nothing kept, take the service's (set elsewhere, e.g.
        ``livedata roi set``) as the editable ones rather than clear them."""
        assert self.publisher is not None
        if self.request.same_shapes(shapes):
            return
        if not self.request.empty:
            self.publisher.publish(self.request)
            return
        try:
            adopted = shapes.to(self.unit)
        except RoiError:
            return
        quads, patches = shape_columns(adopted)
        self._set_columns(quads, patches)
        self.request = adopted
        self._on_change(RoiRequestParams.of(adopted))

    def state(self) -> RoiState:
        readback_job, shapes = self._readback()
        if (
            readback_job is not None
            and self.job is not None
            and readback_job != self.job
        ):
            shapes = None  # another job's readback
        return RoiState(request=self.request, readback=shapes)

    def refresh_status(self) -> None:
        problems = list(self.problems)
        if self._outbox is None:
            problems.append("not connected: ROIs are kept, not sent")
        elif self._outbox.last_error:
            problems.append(f"ROI not sent: {self._outbox.last_error}")
        text = sync_text(self.state(), problems)
        if self.status.object != text:
            self.status.object = text

    def render(self, state: Any) -> None:
        pass

    def fit(self) -> None:
        pass
