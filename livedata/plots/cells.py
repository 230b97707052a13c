"""One grid cell in one session: its layers' presenters, status and editor.

A layer acquires the shared feed for its binding (``feeds.Updater``) and owns
a presenter (stage 2). ``update`` runs inside the session's batched callback
and renders only layers whose feed version moved. A layer whose workflow has
no running job says so and offers to start it with the template's params
through the control plane; the command's ACK/ERR is shown when it arrives.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import panel as pn
from bokeh.models import CustomJS

from ..control.snapshots import ENDED_JOB_STATES, CommandOutcome
from ..instruments.grid import Cell, Layer, Plotter
from .feeds import FeedKey
from .presenters import make_presenter
from .specs import plotter, plotters_for
from .widgets import ModelForm

if TYPE_CHECKING:
    from .context import PlotContext

logger = logging.getLogger(__name__)

# Records, per drawn frame, the frame's data time and when the browser painted
# it (after the next animation frame): publish-to-paint latency in the page.
LATENCY_JS = """
const t = cb_obj.data.t === undefined ? NaN : Number(cb_obj.data.t[0]);
requestAnimationFrame(() => {
  const w = window.livedataFrames = window.livedataFrames || [];
  w.push({name: name, t: t, drawn: Date.now()});
  if (w.length > 5000) w.splice(0, w.length - 5000);
});
"""


class LayerView:
    def __init__(self, ctx: PlotContext, layer: Layer, name: str) -> None:
        self.ctx = ctx
        self.layer = layer
        self.key = FeedKey.of(layer)
        self.feed = ctx.updater.acquire(self.key)
        self.presenter = make_presenter(self.key.plotter, self.feed.params)
        self.rendered = 0
        self.render_error: str | None = None
        self.name = name
        probe = CustomJS(args={"name": name}, code=LATENCY_JS)
        for source in _sources(self.presenter):
            source.js_on_change("data", probe)
        if hasattr(self.presenter, "source_hook"):
            self.presenter.source_hook = lambda s: s.js_on_change("data", probe)
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
            self.pane,
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
        time_ms = getattr(self.feed.state, "time_ms", math.nan)
        if math.isfinite(time_ms):
            lag = time.time() * 1000 - time_ms
            self.ctx.render_lag.append((time.monotonic(), lag))
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
    """A cell: header (title, fit, settings), its layers, and an editor."""

    def __init__(
        self,
        ctx: PlotContext,
        index: int,
        cell: Cell,
        on_edit: Callable[[int, Cell | None], str | None],
    ) -> None:
        self.ctx = ctx
        self.index = index
        self.cell = cell
        self._on_edit = on_edit
        self.layers = [
            LayerView(ctx, layer, f"cell{index}-layer{i}")
            for i, layer in enumerate(cell.layers)
        ]
        title = cell.title or f"{cell.layers[0].workflow_id} {cell.layers[0].output}"
        fit = pn.widgets.Button(label="fit", width=50, css_classes=["fit"])
        fit.on_click(lambda _e: self.fit())
        self.settings_toggle = pn.widgets.Toggle(
            label="⚙", width=40, css_classes=["settings"]
        )
        self.editor = pn.Column(
            visible=False, sizing_mode="stretch_width", css_classes=["editor"]
        )
        self.settings_toggle.param.watch(self._toggle_editor, "value")
        self.message = pn.pane.HTML("", css_classes=["cell-message"])
        header = pn.Row(
            pn.pane.HTML(f"<b>{title}</b>", sizing_mode="stretch_width"),
            fit,
            self.settings_toggle,
            sizing_mode="stretch_width",
            height=40,
        )
        body = (
            self.layers[0].panel
            if len(self.layers) == 1
            else pn.Tabs(
                *[(view.layer.output, view.panel) for view in self.layers],
                sizing_mode="stretch_both",
            )
        )
        self.panel = pn.Column(
            header,
            self.message,
            self.editor,
            body,
            sizing_mode="stretch_both",
            css_classes=["plot-cell", f"cell-{index}"],
            styles={"border": "1px solid #ddd"},
        )

    def release(self) -> None:
        for layer in self.layers:
            layer.release()

    def update(self) -> bool:
        return any([layer.update() for layer in self.layers])

    def update_status(self, snapshot: Any) -> None:
        for layer in self.layers:
            text, offer = layer.status_text(snapshot)
            if layer.status.object != text:
                layer.status.object = text
            if layer.start_button.visible != offer:
                layer.start_button.visible = offer

    def fit(self) -> None:
        for layer in self.layers:
            layer.presenter.fit()

    # -- editing -------------------------------------------------------------------

    def _toggle_editor(self, event: Any) -> None:
        if event.new and not self.editor.objects:
            self.editor.objects = self._editor_items()
        self.editor.visible = event.new

    def _editor_items(self) -> list[Any]:
        layer = self.cell.layers[0]
        spec = self.ctx.workflows.get(layer.workflow_id)
        template = spec.outputs.get(layer.output) if spec is not None else None
        names = (
            [p.name for p in plotters_for(template)]
            if template
            else [str(layer.plotter)]
        )
        if str(layer.plotter) not in names:
            names.append(str(layer.plotter))
        self.plotter_select = pn.widgets.Select(
            label="Plotter",
            options=names,
            value=str(layer.plotter),
            width=150,
            css_classes=["plotter-select"],
        )
        self.form = ModelForm(plotter(str(layer.plotter)).params, layer.plotter_params)
        self.plotter_select.param.watch(self._plotter_changed, "value")
        self.form_holder = pn.Column(self.form.panel, sizing_mode="stretch_width")
        c = self.cell
        self.geometry = {
            name: pn.widgets.IntInput(
                label=name, value=getattr(c, name), start=lo, width=80
            )
            for name, lo in (("row", 0), ("col", 0), ("row_span", 1), ("col_span", 1))
        }
        self.title_input = pn.widgets.TextInput(label="Title", value=c.title, width=200)
        apply = pn.widgets.Button(label="Apply", color="primary", css_classes=["apply"])
        apply.on_click(lambda _e: self.apply())
        remove = pn.widgets.Button(
            label="Remove cell", color="danger", css_classes=["remove"]
        )
        remove.on_click(lambda _e: self._on_edit(self.index, None))
        return [
            pn.Row(self.plotter_select, self.title_input),
            self.form_holder,
            pn.Row(*self.geometry.values()),
            pn.Row(apply, remove),
        ]

    def _plotter_changed(self, event: Any) -> None:
        self.form = ModelForm(plotter(event.new).params)
        self.form_holder.objects = [self.form.panel]

    def apply(self) -> None:
        """The edited cell, validated; the page saves and redraws it."""
        name = self.plotter_select.value
        try:
            params = plotter(name).validate(self.form.value())
        except ValueError as error:
            self.message.object = f"⚠ {error}"
            return
        changed = params.model_dump(mode="json", exclude_defaults=True)
        layer = self.cell.layers[0].model_copy(
            update={"plotter": Plotter(name), "plotter_params": changed}
        )
        geometry = {k: w.value for k, w in self.geometry.items()}
        cell = self.cell.model_copy(
            update={
                "layers": (layer, *self.cell.layers[1:]),
                "title": self.title_input.value,
                **geometry,
            }
        )
        problem = self._on_edit(self.index, cell)
        self.message.object = f"⚠ {problem}" if problem else ""
