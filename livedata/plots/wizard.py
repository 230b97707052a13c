"""The plot wizard (D16): add a plot in three steps, or edit a cell at step three.

1. Workflow and output. The instrument's workflows, and the synthetic static
   overlay workflow (its outputs are the static layers: vertical and
   horizontal lines, rectangles).
2. Plotter, from those that fit the output's template (``specs.plotters_for``,
   before any data arrives); for a correlation histogram its axes, offered
   from what is on offer now (``correlation_plot.axis_options``); for an image
   of a view that takes ROIs, the ROI tools (readback and request layers).
3. Sources and params (a form generated from the plotter's params model), and
   where the plot goes: row, column and spans of a new cell, or for a static
   overlay the cell it stacks on.

Editing a cell opens the wizard at step three, filled from the cell; Back
leads to the plotter. The wizard only builds a ``Cell``: the page validates
the whole grid (geometry, layer composition) and saves it, or says why not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import panel as pn
from pydantic import ValidationError

from ..core.validation import validation_problems
from ..instruments.grid import (
    ROI_PLOTTERS,
    STATIC_PLOTTERS,
    STATIC_SOURCE,
    Cell,
    Layer,
    is_static_workflow,
    static_workflow_id,
)
from .correlation_plot import axis_options, default_bins
from .specs import AxisRef, plotter, plotters_for
from .widgets import ModelForm

if TYPE_CHECKING:
    from .context import PlotContext

STEPS = ("workflow and output", "plotter", "sources and params")
NO_AXIS = "(none: 1-D)"
AXIS_FIELDS = frozenset({"x_axis", "y_axis"})


class PlotWizard:
    """One wizard in one session: ``on_finish(cell, index)`` saves (index None:
    a new cell) and answers a problem or None; ``on_remove(index)`` removes."""

    def __init__(
        self,
        ctx: PlotContext,
        cells: Callable[[], Sequence[Cell]],
        on_finish: Callable[[Cell, int | None], str | None],
        *,
        edit: tuple[int, Cell] | None = None,
        on_remove: Callable[[int], str | None] | None = None,
        on_close: Callable[[], None] | None = None,
        current: Callable[[], Cell] | None = None,
    ) -> None:
        self.ctx = ctx
        # The edited cell as it is at finish (its ROIs may change meanwhile).
        self._current = current or (lambda: edit[1] if edit else None)
        self._cells = cells
        self._on_finish = on_finish
        self._on_remove = on_remove
        self._on_close = on_close
        self.edit = edit
        static = static_workflow_id(ctx.instrument)
        self.workflows: dict[str, Any] = dict(ctx.workflows)
        labels = {
            f"{spec.title} ({wid})" if getattr(spec, "title", "") else wid: wid
            for wid, spec in sorted(self.workflows.items())
        }
        labels["Static overlay: lines, rectangles"] = static
        self.workflow = pn.widgets.Select(
            label="Workflow", options=labels, width=320, css_classes=["wizard-workflow"]
        )
        self.output = pn.widgets.Select(
            label="Output", options=[], width=220, css_classes=["wizard-output"]
        )
        self.plotter = pn.widgets.Select(
            label="Plotter", options=[], width=220, css_classes=["wizard-plotter"]
        )
        self.x_axis = pn.widgets.Select(
            label="X axis", options={}, width=360, css_classes=["wizard-x-axis"]
        )
        self.y_axis = pn.widgets.Select(
            label="Y axis", options={}, width=360, css_classes=["wizard-y-axis"]
        )
        self.roi = pn.widgets.Checkbox(
            label="ROI tools (draw rectangles and polygons; the service's readback)",
            value=True,
            css_classes=["wizard-roi"],
        )
        self.sources = pn.widgets.MultiChoice(
            label="Sources", options=[], width=320, css_classes=["wizard-sources"]
        )
        self.geometry = {
            name: pn.widgets.IntInput(
                label=name, value=lo, start=lo, width=80, css_classes=[f"wizard-{name}"]
            )
            for name, lo in (("row", 0), ("col", 0), ("row_span", 1), ("col_span", 1))
        }
        self.title = pn.widgets.TextInput(
            label="Title", value="", width=220, css_classes=["wizard-title"]
        )
        self.target = pn.widgets.Select(
            label="Stack on cell", options={}, width=320, css_classes=["wizard-target"]
        )
        self.form: ModelForm | None = None
        self.header = pn.pane.HTML("", css_classes=["wizard-step"])
        self.message = pn.pane.HTML("", css_classes=["wizard-message"])
        self.body = pn.Column(sizing_mode="stretch_width")
        self.back = pn.widgets.Button(
            label="Back", width=70, css_classes=["wizard-back"]
        )
        self.next = pn.widgets.Button(
            label="Next", color="primary", width=70, css_classes=["wizard-next"]
        )
        finish_classes = ["wizard-finish", "apply"] if edit else ["wizard-finish"]
        self.finish_button = pn.widgets.Button(
            label="Apply" if edit else "Add",
            color="primary",
            width=80,
            css_classes=finish_classes,
        )
        self.remove_button = pn.widgets.Button(
            label="Remove cell",
            color="danger",
            width=100,
            visible=edit is not None,
            css_classes=["remove"],
        )
        self.back.on_click(lambda _e: self.go(self.step - 1))
        self.next.on_click(lambda _e: self.go(self.step + 1))
        self.finish_button.on_click(lambda _e: self.finish())
        self.remove_button.on_click(lambda _e: self.remove())
        self.workflow.param.watch(lambda _e: self._workflow_picked(), "value")
        self.output.param.watch(lambda _e: self._output_picked(), "value")
        self.plotter.param.watch(lambda _e: self._plotter_picked(), "value")
        self.panel = pn.Column(
            self.header,
            self.body,
            self.message,
            pn.Row(self.back, self.next, self.finish_button, self.remove_button),
            sizing_mode="stretch_width",
            css_classes=["plot-wizard"],
        )
        self.step = 1
        self._params: dict[str, Any] = {}
        self._overlays: tuple[Layer, ...] = ()
        if edit is not None:
            self._fill(edit[1])
            self.go(3)
        else:
            self._workflow_picked()
            self.go(1)

    # -- state ------------------------------------------------------------------

    @property
    def static(self) -> bool:
        return is_static_workflow(self.workflow.value or "")

    def _spec(self) -> Any:
        return self.workflows.get(self.workflow.value)

    def _template(self) -> Any:
        spec = self._spec()
        return spec.outputs.get(self.output.value) if spec is not None else None

    def _fill(self, cell: Cell) -> None:
        """Edit mode: every step's values from the cell."""
        base = cell.layers[0]
        self.workflow.value = base.workflow_id
        self._workflow_picked()
        self.output.value = base.output
        self._output_picked()
        if base.plotter.value not in self.plotter.options:
            self.plotter.options = [*self.plotter.options, base.plotter.value]
        self.plotter.value = base.plotter.value
        self._params = dict(base.plotter_params)
        self._plotter_picked()
        self.sources.value = list(base.source_names)
        self.roi.value = any(layer.plotter in ROI_PLOTTERS for layer in cell.layers)
        self._overlays = cell.layers[1:]
        for name, widget in self.geometry.items():
            widget.value = getattr(cell, name)
        self.title.value = cell.title

    def _workflow_picked(self) -> None:
        if self.static:
            self.output.options = sorted(p.value for p in STATIC_PLOTTERS)
            self.sources.options = [STATIC_SOURCE]
            self.sources.value = [STATIC_SOURCE]
        else:
            spec = self._spec()
            if spec is None:
                return
            outputs = [
                name
                for name, template in spec.outputs.items()
                if plotters_for(template)
            ]
            self.output.options = outputs
            self.sources.options = list(spec.source_names)
            self.sources.value = list(spec.source_names[:1])
        options = list(self.output.options)
        if self.output.value not in options:
            self.output.value = options[0] if options else None
        self._output_picked()

    def _output_picked(self) -> None:
        if self.static:
            names = [self.output.value] if self.output.value else []
        else:
            template = self._template()
            names = [p.name for p in plotters_for(template)] if template else []
        self.plotter.options = names
        if self.plotter.value not in names:
            self.plotter.value = names[0] if names else None
        self._plotter_picked()

    def _plotter_picked(self) -> None:
        name = self.plotter.value
        correlation = name == "correlation"
        self.x_axis.visible = self.y_axis.visible = correlation
        if correlation:
            options = self._axis_options()
            self.x_axis.options = options
            self.y_axis.options = {NO_AXIS: "", **options}
            x, y = self._params.get("x_axis"), self._params.get("y_axis", "")
            if x in options.values():
                self.x_axis.value = x
            elif options:
                self.x_axis.value = next(iter(options.values()))
            self.y_axis.value = y if y in self.y_axis.options.values() else ""
        spec = self._spec()
        self.roi.visible = (
            name == "image"
            and spec is not None
            and getattr(spec, "accepts_roi", False)
            and "roi_rectangle" in spec.outputs
        )

    def _axis_options(self) -> dict[str, str]:
        from ..instruments import get_instrument

        logs = get_instrument(self.ctx.instrument).log_attributes
        options = axis_options(self.ctx.data.result_rows(), logs, self.workflows)
        primary = (self.workflow.value, self.output.value)
        return {
            label: ref
            for label, ref in options.items()
            if (AxisRef.parse(ref).workflow_id, AxisRef.parse(ref).output) != primary
        }

    # -- steps --------------------------------------------------------------------

    def go(self, step: int) -> None:
        step = max(1, min(3, step))
        if step == 3 and not self.plotter.value:
            self.message.object = "⚠ this output has no plotter"
            return
        if step == 3:
            self._build_form()
        self.step = step
        self.header.object = (
            f"<b>{'Edit' if self.edit else 'Add a'} plot</b> · "
            f"step {step} of 3: {STEPS[step - 1]}"
        )
        self.message.object = ""
        if step == 1:
            self.body.objects = [pn.Row(self.workflow, self.output)]
        elif step == 2:
            self.body.objects = [
                pn.Row(self.plotter, self.roi),
                pn.Row(self.x_axis, self.y_axis),
            ]
        else:
            self.body.objects = self._step_three()
        self.back.visible = step > 1
        self.next.visible = step < 3
        self.finish_button.visible = step == 3

    def _build_form(self) -> None:
        name = self.plotter.value
        values = dict(self._params) if self.form is None else self.form.value()
        if self.form is not None and self.form.model is not plotter(name).params:
            values = {}
        if name == "correlation":
            values["x_axis"] = self.x_axis.value or ""
            values["y_axis"] = self.y_axis.value or ""
            from ..instruments import get_instrument

            logs = get_instrument(self.ctx.instrument).log_attributes
            for prefix, ref in (("x", values["x_axis"]), ("y", values["y_axis"])):
                chosen = AxisRef.parse(ref) if ref else None
                bins = default_bins(chosen, logs) if chosen else None
                if bins and f"{prefix}_start" not in self._params:
                    values[f"{prefix}_start"], values[f"{prefix}_stop"] = bins
        self.form = ModelForm(
            plotter(name).params,
            values,
            exclude=AXIS_FIELDS if name == "correlation" else frozenset(),
        )

    def _step_three(self) -> list[Any]:
        assert self.form is not None
        items: list[Any] = []
        if not self.static:
            items.append(self.sources)
        items.append(self.form.panel)
        if self.static and self.edit is None:
            self.target.options = {
                f"({c.row}, {c.col}) {c.title or c.layers[0].output}": i
                for i, c in enumerate(self._cells())
            }
            items.append(self.target)
        else:
            items += [pn.Row(*self.geometry.values()), self.title]
        return items

    # -- finish ---------------------------------------------------------------------

    def build(self) -> tuple[Cell, int | None]:
        """The cell this wizard describes and where it goes; ValueError why not."""
        if self.form is None:
            self._build_form()
        assert self.form is not None
        name = self.plotter.value
        params = plotter(name).validate(self.form.value())
        changed = params.model_dump(mode="json", exclude_defaults=True)
        if self.static:
            return self._static_cell(name, changed)
        sources = tuple(self.sources.value or ())
        if not sources:
            raise ValueError("pick at least one source")
        previous = self.edit[1].layers[0] if self.edit else None
        base = {
            "workflow_id": self.workflow.value,
            "output": self.output.value,
            "source_names": sources,
            "plotter": name,
            "plotter_params": changed,
        }
        if previous is not None and previous.workflow_id == self.workflow.value:
            base["workflow_params"] = previous.workflow_params
            base["aux_source_names"] = previous.aux_source_names
        layers = [base, *self._overlay_layers(sources)]
        doc = {name: w.value for name, w in self.geometry.items()}
        doc.update(title=self.title.value or self._default_title(params), layers=layers)
        try:
            cell = Cell.model_validate(doc)
        except ValidationError as error:
            raise ValueError(
                validation_problems(error, "cell", first_only=True)
            ) from None
        return cell, self.edit[0] if self.edit else None

    def _default_title(self, params: Any) -> str:
        """What a new cell is called unless titled: its output, and the axes of
        a correlation histogram."""
        if self.plotter.value == "correlation":
            axes = ", ".join(a.source_name for a in params.axes())
            return f"{self.output.value} against {axes}"
        return ""

    def _overlay_layers(self, sources: tuple[str, ...]) -> list[Any]:
        cell = self._current()
        overlays = cell.layers[1:] if cell is not None else self._overlays
        kept = [
            layer.model_dump(mode="json")
            for layer in overlays
            if layer.plotter not in ROI_PLOTTERS
        ]
        if not (self.roi.visible and self.roi.value):
            return kept
        request = next(
            (o.plotter_params for o in overlays if o.plotter == "roi_request"),
            {},
        )
        roi = {
            "workflow_id": self.workflow.value,
            "output": "roi_rectangle",
            "source_names": sources[:1],
        }
        return [
            {**roi, "plotter": "roi_readback"},
            {**roi, "plotter": "roi_request", "plotter_params": request},
            *kept,
        ]

    def _static_cell(self, name: str, params: dict[str, Any]) -> tuple[Cell, int]:
        index = self.target.value
        cells = list(self._cells())
        if index is None or not 0 <= index < len(cells):
            raise ValueError("pick the cell the overlay stacks on")
        layer = Layer(
            workflow_id=static_workflow_id(self.ctx.instrument),
            output=name,
            source_names=(STATIC_SOURCE,),
            plotter=name,
            plotter_params=params,
        )
        target = cells[index]
        return target.model_copy(update={"layers": (*target.layers, layer)}), index

    def finish(self) -> str | None:
        try:
            cell, index = self.build()
        except ValueError as error:
            problem: str | None = str(error)
        else:
            problem = self._on_finish(cell, index)
        self.message.object = f"⚠ {problem}" if problem else ""
        if problem is None and self._on_close is not None:
            self._on_close()
        return problem

    def remove(self) -> str | None:
        if self.edit is None or self._on_remove is None:
            return None
        return self._on_remove(self.edit[0])
