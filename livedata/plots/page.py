"""One browser session (D1): its own grid, cells and periodic update.

Each tab gets a ``SessionPage``: the template it shows (picked at start with
``?template=NAME`` or in the page), cells with their presenters, and a periodic
callback that heartbeats the session registry; when a feed moved (the updater
says so at once, the periodic callback checks too) all of the session's changes
are rendered in one batch (``pn.io.hold``, with ``doc.models.freeze`` when a
first frame may add models, D4). Plots are added through the plot wizard (D16) and edited through it at
its third step; edits (add, remove, move, resize, plotter and params, overlays)
are validated as a whole template, layer stacks by the overlay registry (D13),
and saved per instrument (``GridStore``). ROIs drawn on an image are saved
with their layer as they change, without redrawing the grid.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any

import panel as pn
from panel.io.callbacks import PeriodicCallback
from panel.io.state import set_curdoc
from pydantic import ValidationError

from ..core.validation import validation_problems
from ..instruments.grid import Cell, GridTemplate
from . import bokeh_paint_fix, paint_probe
from .cells import CellView, composition_problem
from .specs import plotters_for
from .wizard import PlotWizard

if TYPE_CHECKING:
    from .context import PlotContext

logger = logging.getLogger(__name__)
STATUS_EVERY = 5  # status lines (not running, ACK) every 5th tick
SINGLE_PREFIX = "result:"  # name of a one-output grid


class SessionPage:
    def __init__(self, ctx: PlotContext, template: str | None = None) -> None:
        self.ctx = ctx
        self.session_id = uuid.uuid4().hex
        self.cells: list[CellView] = []
        self.ticks = 0
        self.registered = False  # with the registry (a served session)
        self.released = False
        self.renders = 0
        self._status_version = -1
        self._push_pending = threading.Event()  # a render is on the event loop
        name = template if template and ctx.template(template) else ctx.first_template()
        self.grid: GridTemplate | None = ctx.template(name) if name else None
        self.banner = pn.pane.HTML(
            f"<div class='store-problem'>⚠ {ctx.store.problem}</div>"
            if ctx.store.problem
            else "",
            sizing_mode="stretch_width",
        )
        self.message = pn.pane.HTML(
            "", sizing_mode="stretch_width", css_classes=["page-message"]
        )
        self.picker = pn.widgets.Select(
            label="Template",
            options=ctx.template_names(),
            value=name,
            width=220,
            css_classes=["template-select"],
        )
        self.picker.param.watch(lambda e: self.show(e.new), "value")
        reset = pn.widgets.Button(
            label="Back to shipped", width=130, css_classes=["reset-template"]
        )
        reset.on_click(lambda _e: self.reset_template())
        self.add_toggle = pn.widgets.Toggle(
            label="Add plot", width=90, css_classes=["add-cell"]
        )
        self.add_form = pn.Column(visible=False, css_classes=["add-form"])
        self.wizard: PlotWizard | None = None
        self.add_toggle.param.watch(self._toggle_add, "value")
        self.grid_holder = pn.Column(sizing_mode="stretch_both")
        header = pn.Row(
            pn.pane.HTML(
                f"<h3 style='margin:4px'>livedata plots: {ctx.instrument}</h3>"
            ),
            self.picker,
            reset,
            self.add_toggle,
            sizing_mode="stretch_width",
        )
        self.view = pn.Column(
            header,
            self.banner,
            self.message,
            self.add_form,
            self.grid_holder,
            sizing_mode="stretch_both",
            css_classes=["livedata-plots"],
        )
        self._build()

    # -- lifecycle ------------------------------------------------------------------

    def attach(self, doc: Any) -> None:
        """Register with the registry and start the periodic update on ``doc``."""
        self.doc = doc
        self.registered = True
        self.ctx.sessions.register(self.session_id, cleanup=self.release)
        # In the background and unlogged: Panel would otherwise mark the whole
        # server busy and idle again, and log, around every tick of every
        # session (10 per second per tab), for no indicator and no reader.
        # Bokeh drops the callback with the session's document.
        self.callback = PeriodicCallback(
            callback=self.tick, period=self.ctx.period_ms, background=True, log=False
        )
        self.callback.start()
        self.ctx.updater.listen(self, self._schedule_push)
        with contextlib.suppress(Exception):
            pn.state.on_session_destroyed(
                lambda _ctx: self.ctx.sessions.remove(self.session_id)
            )

    def release(self) -> None:
        """The session ended: give back its feeds (runs once)."""
        self.ctx.updater.unlisten(self)
        cells, self.cells = self.cells, []
        for cell in cells:
            cell.release()
        self.released = True  # its document and callback go with the server's

    def _schedule_push(self) -> None:
        """On the updater's thread: feeds moved, render them on the event loop
        now rather than at the next periodic tick (once; never waits).

        ``push`` is a coroutine so that Bokeh runs it on the event loop (with
        the document locked) and Panel's hold writes the batch as one message.
        A plain function Bokeh runs on a worker thread, and from there each
        changed data source went out as a PATCH-DOC message of its own: 12 per
        session and frame on the benchmark grid, each costing the server a
        pass over every model of the document and the page a patch of its own
        (server CPU 28 -> 18 %, median latency 400 -> 280 ms when batched)."""
        if self._push_pending.is_set() or not self.connected():
            return
        self._push_pending.set()
        doc = self.doc

        async def push() -> None:
            self._push_pending.clear()
            with set_curdoc(doc):
                self.render()

        try:
            doc.add_next_tick_callback(push)
        except Exception:  # the session is going: its periodic tick is gone too
            self._push_pending.clear()

    def connected(self) -> bool:
        """Whether a browser is connected: no heartbeat from a closed tab, nor
        from a page still loading (the registry gives that a start grace; one
        that never connects is destroyed by the server)."""
        doc = getattr(self, "doc", None)
        context = getattr(doc, "session_context", None)
        session = getattr(context, "_session", None)
        count = getattr(session, "connection_count", None)
        return count is None or count > 0

    def tick(self) -> None:
        """The periodic callback: heartbeat, then one batched render of changes."""
        if self.registered:
            if not self.connected():
                return  # closed (or loading): nothing to draw for
            if not self.ctx.sessions.heartbeat(self.session_id):
                # Expired while still connected (the server stalled longer than
                # the timeout): register again and take the feeds back.
                logger.warning("session %s came back after expiring", self.session_id)
                self.ctx.sessions.register(self.session_id, cleanup=self.release)
                self.released = False
                self._build()
        self.ticks += 1
        for cell in self.cells:
            cell.tick()  # ROI edits held back by the throttle (no drawing)
        self.render(status=self.ticks % STATUS_EVERY == 1)

    def render(self, status: bool = False) -> None:
        """Draw every cell whose feed moved (and the status lines) in one batch."""
        changed = [c for c in self.cells if c.dirty()]
        if not changed and not status:
            return
        drawn: list[float] = []
        # A first frame may add models (curves, legend items): their model graph
        # is recomputed once at the end. Later frames only change data, and a
        # frozen batch recomputes the whole page's graph however little changed
        # (measured: ~100 ms for the 12-cell benchmark grid, per session and
        # batch), so they are not frozen; a model added anyway (a new ROI's
        # curve) is still registered, by Bokeh's own recompute.
        first = any(
            layer.rendered == 0 != layer.feed.version
            for cell in changed
            for layer in cell.layers
        )
        with self._batched(freeze=first):
            for cell in changed:
                frames = cell.update()
                if frames:
                    self.renders += 1
                    drawn.extend(frames)
            if status:
                self._update_status()
        for time_ms in drawn:  # Bokeh serialises and sends the batch next
            self.ctx.lags.note("batched", time_ms)

    @contextlib.contextmanager
    def _batched(self, freeze: bool):
        doc = getattr(self, "doc", None)
        if doc is None:
            yield
            return
        with (
            pn.io.hold(doc),
            doc.models.freeze() if freeze else contextlib.nullcontext(),
        ):
            yield

    def _update_status(self) -> None:
        plane = self.ctx.plane
        snapshot = plane.snapshot() if plane is not None else None
        for cell in self.cells:
            cell.update_status(snapshot)

    # -- grid ---------------------------------------------------------------------

    def _build(self) -> None:
        for cell in self.cells:
            cell.release()
        self.cells = []
        grid = self.grid
        if grid is None:
            self.grid_holder.objects = [
                pn.pane.HTML(
                    f"No grid templates for {self.ctx.instrument}; add a cell."
                )
            ]
            return
        spec = pn.GridSpec(
            sizing_mode="stretch_both",
            min_height=300 * grid.nrows,
            ncols=grid.ncols,
            nrows=grid.nrows,
        )
        for index, cell in enumerate(grid.cells):
            view = CellView(
                self.ctx,
                index,
                cell,
                self.edit_cell,
                cells=self._grid_cells,
                on_layer_params=self.keep_layer_params,
            )
            self.cells.append(view)
            spec[
                cell.row : cell.row + cell.row_span, cell.col : cell.col + cell.col_span
            ] = view.panel
        for cell in self.cells:
            cell.update()
        self._update_status()
        self.grid_holder.objects = [spec]

    def show(self, name: str) -> None:
        grid = self.ctx.template(name)
        if grid is None:
            self.message.object = f"⚠ no template {name!r}"
            return
        self.grid = grid
        self.ctx.store.select(name)
        self._build()

    def reset_template(self) -> None:
        if self.grid is None:
            return
        self.ctx.store.forget(self.grid.name)
        self.show(self.grid.name)

    def replace_grid(self, cells: list[Cell], **changes: Any) -> str | None:
        """Validate the grid with ``cells``, save it and redraw; a problem or None."""
        assert self.grid is not None
        doc = self.grid.model_dump(mode="json")
        doc.update(changes)
        doc["cells"] = [c.model_dump(mode="json") for c in cells]
        try:
            grid = GridTemplate.model_validate(doc)
        except ValidationError as error:
            return validation_problems(error, "grid", first_only=True)
        for cell in grid.cells:
            problem = composition_problem(cell)
            if problem is not None:
                return f"{cell.label()}: {problem}"
        self.grid = grid
        # A one-output page (opened from the console) is kept, never made the
        # grid every new session opens with.
        single = grid.name.startswith(SINGLE_PREFIX)
        if not self.ctx.store.save(grid, select=not single):
            self.message.object = f"⚠ could not save the grid to {self.ctx.store.path}"
        self._build()
        return None

    def edit_cell(self, index: int, cell: Cell | None) -> str | None:
        assert self.grid is not None
        cells = list(self.grid.cells)
        if cell is None:
            del cells[index]
        else:
            cells[index] = cell
        rows = max([self.grid.nrows, *(c.row + c.row_span for c in cells)])
        cols = max([self.grid.ncols, *(c.col + c.col_span for c in cells)])
        return self.replace_grid(cells, nrows=rows, ncols=cols)

    def keep_layer_params(self, index: int, layer: int, params: dict) -> None:
        """Save one layer's params (the ROIs drawn) without redrawing the grid."""
        if self.grid is None or index >= len(self.grid.cells):
            return
        cell = self.grid.cells[index]
        layers = list(cell.layers)
        layers[layer] = layers[layer].model_copy(update={"plotter_params": params})
        cell = cell.model_copy(update={"layers": tuple(layers)})
        cells = list(self.grid.cells)
        cells[index] = cell
        self.grid = self.grid.model_copy(update={"cells": tuple(cells)})
        if index < len(self.cells):
            self.cells[index].cell = cell
        single = self.grid.name.startswith(SINGLE_PREFIX)
        if not self.ctx.store.save(self.grid, select=not single):
            self.message.object = f"⚠ could not save the grid to {self.ctx.store.path}"

    def _grid_cells(self) -> tuple[Cell, ...]:
        return self.grid.cells if self.grid is not None else ()

    # -- adding a plot: the wizard ---------------------------------------------------

    def _toggle_add(self, event: Any) -> None:
        if event.new:
            self.wizard = PlotWizard(
                self.ctx, self._grid_cells, self._finish_add, on_close=self._close_add
            )
            self.add_form.objects = [self.wizard.panel]
        self.add_form.visible = event.new

    def _close_add(self) -> None:
        self.add_toggle.value = False

    def _finish_add(self, cell: Cell, index: int | None) -> str | None:
        """The wizard's new cell (index None), or a cell with a static overlay
        stacked on it (its index)."""
        if self.grid is None:
            self.grid = GridTemplate(name="custom", title="Custom", nrows=1, ncols=1)
        if index is not None:
            return self.edit_cell(index, cell)
        return self._append(cell)

    def _append(self, cell: Cell) -> str | None:
        assert self.grid is not None
        cells = [*self.grid.cells, cell]
        rows = max(self.grid.nrows, cell.row + cell.row_span)
        cols = max(self.grid.ncols, cell.col + cell.col_span)
        return self.replace_grid(cells, nrows=rows, ncols=cols)


def single_output_grid(
    ctx: PlotContext, workflow: str, output: str, source: str
) -> GridTemplate | None:
    """A one-cell grid for one output of one source (the console's "plot this
    result"), with the output's default plotter; None if the spec has no such."""
    spec = ctx.workflows.get(workflow)
    template = spec.outputs.get(output) if spec is not None else None
    if template is None:
        return None
    fitting = plotters_for(template)
    if not fitting:
        return None
    layer = {
        "workflow_id": workflow,
        "output": output,
        "source_names": [source],
        "plotter": fitting[0].name,
    }
    return GridTemplate.model_validate(
        {
            "name": f"{SINGLE_PREFIX}{workflow}:{output}:{source}",
            "title": f"{output} of {workflow} ({source})",
            "nrows": 1,
            "ncols": 1,
            "cells": [
                {"row": 0, "col": 0, "title": f"{output} ({source})", "layers": [layer]}
            ],
        }
    )


def create(ctx: PlotContext) -> Any:
    """The Panel app function: one ``SessionPage`` per browser session.

    ``?template=NAME`` opens a template; ``?workflow=W&output=O&source=S`` one
    output (what the console's Results view opens)."""
    args = getattr(pn.state, "session_args", {}) or {}

    def arg(name: str) -> str | None:
        return args.get(name, [b""])[0].decode() or None

    page = SessionPage(ctx, arg("template"))
    workflow, output, source = arg("workflow"), arg("output"), arg("source")
    if workflow and output and source:
        grid = single_output_grid(ctx, workflow, output, source)
        if grid is None:
            page.message.object = f"⚠ {workflow} has no plottable output {output!r}"
        else:
            page.grid = grid
            page._build()
    page.attach(pn.state.curdoc)
    bokeh_paint_fix.install(pn.state.curdoc)
    paint_probe.install(pn.state.curdoc)
    return page.view
