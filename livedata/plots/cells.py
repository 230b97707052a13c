"""One grid cell in one session: its stacked layers, status and editor.

A cell's layers are drawn on one figure, bottom first (D13): the base layer's
presenter owns the figure, overlays draw on it; which stacks are allowed is
``livedata.control.overlays``' registry, and a cell that breaks it says so and
shows its base layer only. A data layer acquires the shared feed for its
binding (``feeds.Updater``) and owns a presenter (stage 2); the ROI request
layer (``roi_tools``) and static layers have no feed. ``update`` runs inside
the session's batched callback and renders only layers whose feed version
moved. A base layer whose workflow has no running job says so and offers to
start it with the template's params through the control plane; the command's
ACK/ERR is shown when it arrives. The cell's editor is the plot wizard at its
third step (D16).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import panel as pn

from ..control.overlays import OverlayError, check_layers
from ..control.snapshots import ENDED_JOB_STATES, CommandOutcome
from ..instruments.grid import STATIC_PLOTTERS, Cell, Layer, Plotter
from . import paint_probe
from .feeds import FeedKey
from .overlay_layers import StaticPresenter
from .presenters import make_presenter
from .roi_tools import RoiRequestLayer
from .specs import Category, plotter
from .wizard import PlotWizard

if TYPE_CHECKING:
    from .context import PlotContext

logger = logging.getLogger(__name__)


class LayerView:
    """A layer drawn from a feed: the base, or an overlay on ``figure``."""

    def __init__(
        self, ctx: PlotContext, layer: Layer, name: str, figure: Any = None
    ) -> None:
        self.ctx = ctx
        self.layer = layer
        self.key = FeedKey.of(layer)
        self.feed = ctx.updater.acquire(self.key)
        self.presenter = make_presenter(self.key.plotter, self.feed.params, figure)
        self.rendered = 0
        self.drawn_ms = math.nan  # data time of the frame drawn last
        self.render_error: str | None = None
        self.name = name
        probe = paint_probe.probe(name)
        for source in _sources(self.presenter):
            source.js_on_change("data", probe)
            source.tags = [*source.tags, name]  # found by the layer's name
        if hasattr(self.presenter, "source_hook"):
            self.presenter.source_hook = lambda s: s.js_on_change("data", probe)
        self.pane = None
        if figure is None:
            # Tagged with the layer's name: the page (and tests) find it by that.
            self.presenter.model.tags = [*self.presenter.model.tags, name]
            self.pane = pn.pane.Bokeh(self.presenter.model, sizing_mode="stretch_both")
        self.status = pn.pane.HTML(
            "", sizing_mode="stretch_width", css_classes=["layer-status"]
        )
        self.start_button = pn.widgets.Button(
            label="Start with the template's params",
            color="primary",
            visible=False,
            css_classes=["start-workflow"],
        )
        self.start_button.on_click(lambda _e: self.start())
        self._message_id: str | None = None
        self._sent_error: str | None = None
        self.panel = pn.Column(
            pn.Row(self.status, self.start_button, sizing_mode="stretch_width"),
            *([self.pane] if self.pane is not None else []),
            sizing_mode="stretch_both",
        )

    def release(self) -> None:
        self.ctx.updater.release(self.key)

    def update(self) -> bool:
        if self.feed.version == self.rendered:
            return False
        self.rendered = self.feed.version
        try:
            self.presenter.render(self.feed.state)
        except Exception as error:  # one bad frame must not break the page
            self.render_error = f"cannot draw: {error}"
            logger.warning("%s: %s", self.name, self.render_error)
            return False
        self.render_error = None
        self.drawn_ms = getattr(self.feed.state, "time_ms", math.nan)
        self.ctx.lags.note("rendered", self.drawn_ms)
        return True

    def status_text(self, snapshot: Any) -> tuple[str, bool]:
        """(status line, offer a start) from the plane's snapshot."""
        layer = self.layer
        wid = layer.workflow_id
        if self.feed.error or self.render_error:
            return f"⚠ {self.feed.error or self.render_error}", False
        command = self._command_text(snapshot)
        if snapshot is None:
            return command, False
        running = [
            j
            for j in snapshot.jobs
            if j.workflow_id == wid
            and j.source_name in layer.source_names
            and j.state not in ENDED_JOB_STATES
        ]
        if not running:
            text = f"{wid} is not running on {', '.join(layer.source_names)}."
            return " ".join(t for t in (text, command) if t), self._message_id is None
        if self.feed.state is None:
            return " ".join(
                t for t in ("waiting for the first result", command) if t
            ), False
        return command, False

    def _command_text(self, snapshot: Any) -> str:
        if self._sent_error:
            return f"not sent: {self._sent_error}"
        if self._message_id is None or snapshot is None:
            return ""
        row = next(
            (c for c in snapshot.commands if c.message_id == self._message_id), None
        )
        if row is None:
            return "start sent"
        if row.outcome is CommandOutcome.PENDING:
            return f"start sent, waiting for ACK ({len(row.answers)}/{row.expected})"
        if row.outcome is CommandOutcome.ACK:
            return "start: ACK"
        detail = "; ".join(row.errors)
        return f"start: {row.outcome.value}{': ' + detail if detail else ''}"

    def start(self) -> None:
        """Send the start on a thread: the browser callback never waits on Kafka."""
        plane = self.ctx.plane
        if plane is None:
            return
        layer = self.layer
        self.start_button.visible = False

        def send() -> None:
            try:
                row = plane.start_job(
                    layer.workflow_id,
                    layer.source_names,
                    layer.workflow_params,
                    layer.aux_source_names or None,
                )
                self._message_id = row.message_id
            except ValueError as error:
                self._sent_error = str(error)

        threading.Thread(target=send, name="plots-start", daemon=True).start()


def _sources(presenter: Any) -> list[Any]:
    source = getattr(presenter, "source", None)
    if source is not None and hasattr(source.data, "get") and "t" in source.data:
        return [source]
    return []


class CellView:
    """A cell: header (title, fit, settings), its stacked layers, an editor."""

    def __init__(
        self,
        ctx: PlotContext,
        index: int,
        cell: Cell,
        on_edit: Callable[[int, Cell | None], str | None],
        *,
        cells: Callable[[], Any] = tuple,
        on_layer_params: Callable[[int, int, dict[str, Any]], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.index = index
        self.cell = cell
        self._on_edit = on_edit
        self._cells = cells
        self._on_layer_params = on_layer_params
        self.message = pn.pane.HTML("", css_classes=["cell-message"])
        self.problem = composition_problem(cell)
        self.layers: list[LayerView] = []  # the ones with feeds, base first
        self.readback: LayerView | None = None
        self.request: RoiRequestLayer | None = None
        self.statics: list[StaticPresenter] = []
        body: Any
        if plotter(cell.layers[0].plotter.value).category is not Category.DATA:
            self.message.object = f"⚠ {self.problem}"  # nothing to draw on
            body = pn.Spacer()
        else:
            base = LayerView(ctx, cell.layers[0], f"cell{index}-layer0")
            self.layers.append(base)
            body = base.panel
            if self.problem is None:
                self._stack(cell.layers[1:], base.presenter.model)
            else:
                self.message.object = f"⚠ {self.problem}; only its first layer is drawn"
        title = cell.title or f"{cell.layers[0].workflow_id} {cell.layers[0].output}"
        fit = pn.widgets.Button(label="fit", width=50, css_classes=["fit"])
        fit.on_click(lambda _e: self.fit())
        self.settings_toggle = pn.widgets.Toggle(
            label="⚙", width=40, css_classes=["settings"]
        )
        self.editor = pn.Column(
            visible=False, sizing_mode="stretch_width", css_classes=["editor"]
        )
        self.wizard: PlotWizard | None = None
        self.settings_toggle.param.watch(self._toggle_editor, "value")
        header = pn.Row(
            pn.pane.HTML(f"<b>{title}</b>", sizing_mode="stretch_width"),
            fit,
            self.settings_toggle,
            sizing_mode="stretch_width",
            height=40,
        )
        tools = [self.request.panel] if self.request is not None else []
        self.panel = pn.Column(
            header,
            self.message,
            self.editor,
            *tools,
            body,
            sizing_mode="stretch_both",
            css_classes=["plot-cell", f"cell-{index}"],
            styles={"border": "1px solid #ddd"},
        )

    def _stack(self, overlays: tuple[Layer, ...], figure: Any) -> None:
        base = self.layers[0]
        for i, layer in enumerate(overlays, start=1):
            name = f"cell{self.index}-layer{i}"
            if layer.plotter is Plotter.ROI_READBACK:
                self.readback = LayerView(self.ctx, layer, name, figure)
                self.layers.append(self.readback)
            elif layer.plotter is Plotter.ROI_REQUEST:
                self.request = self._request_layer(i, layer, figure, base)
            elif layer.plotter in STATIC_PLOTTERS:
                params = plotter(layer.plotter.value).validate(layer.plotter_params)
                self.statics.append(
                    StaticPresenter(layer.plotter.value, params, figure)
                )

    def _request_layer(
        self, position: int, layer: Layer, figure: Any, base: LayerView
    ) -> RoiRequestLayer:
        spec = self.ctx.workflows.get(layer.workflow_id)
        template = spec.outputs.get("roi_rectangle") if spec is not None else None
        x = template.coords.get("x") if template is not None else None
        source = layer.source_names[0]
        readback = self.readback

        def readback_state() -> tuple[Any, Any]:
            if readback is None or readback.feed.state is None:
                return None, None
            return readback.feed.job_of(source), readback.feed.state.shapes

        def keep(params: Any) -> None:
            if self._on_layer_params is not None:
                self._on_layer_params(
                    self.index, position, params.model_dump(mode="json")
                )

        return RoiRequestLayer(
            params=plotter("roi_request").validate(layer.plotter_params),
            unit=None if x is None else x.unit,
            figure=figure,
            source_name=source,
            job_of=lambda: base.feed.job_of(source),
            readback=readback_state,
            outbox=self.ctx.roi_outbox,
            on_change=keep,
        )

    def release(self) -> None:
        for layer in self.layers:
            layer.release()

    def dirty(self) -> bool:
        return any(v.feed.version != v.rendered for v in self.layers)

    def tick(self) -> None:
        """Every session tick (no drawing): the ROI tools' held-back edits."""
        if self.request is not None:
            self.request.tick()

    def update(self) -> list[float]:
        """Draw the layers whose feed moved; the data times of the frames drawn."""
        drawn = [layer.drawn_ms for layer in self.layers if layer.update()]
        if drawn and self.request is not None:
            self.request.refresh_status()
        return drawn

    def update_status(self, snapshot: Any) -> None:
        if not self.layers:
            return
        base = self.layers[0]
        text, offer = base.status_text(snapshot)
        if base.status.object != text:
            base.status.object = text
        if base.start_button.visible != offer:
            base.start_button.visible = offer
        if self.request is not None:
            self.request.refresh_status()

    def fit(self) -> None:
        for layer in self.layers[:1]:
            layer.presenter.fit()

    # -- editing: the wizard at step three --------------------------------------------

    def _toggle_editor(self, event: Any) -> None:
        if event.new:  # filled from the cell as it is now (ROIs drawn since)
            self.wizard = PlotWizard(
                self.ctx,
                self._cells,
                lambda cell, index: self._on_edit(self.index, cell),
                edit=(self.index, self.cell),
                on_remove=lambda index: self._on_edit(index, None),
                current=lambda: self.cell,
            )
            self.editor.objects = [self.wizard.panel]
        self.editor.visible = event.new

    def apply(self) -> str | None:
        """Apply the editor's values (the wizard's finish)."""
        if self.wizard is None:
            return None
        return self.wizard.finish()


def composition_problem(cell: Cell) -> str | None:
    """Why the cell's layers may not stack (the overlay registry), or None."""
    base = plotter(cell.layers[0].plotter.value)
    if base.category is not Category.DATA:
        return (
            f"{base.name} cannot be a cell's first layer: it draws over a plot of "
            "data (add it to a cell through the wizard's static overlay workflow)"
        )
    if len(cell.layers) == 1:
        return None
    try:
        check_layers([layer.plotter.value for layer in cell.layers])
    except OverlayError as error:
        return str(error)
    return None
