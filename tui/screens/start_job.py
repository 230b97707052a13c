"""The start-job form: sources, auxiliary inputs and the generated params form.

It opens with the workflow's last config (restored from the commands topic or
started from this console) when the plane knows one, else with the defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Select, SelectionList, Static

from ..messages import GoBack, StartJob
from ..widgets.params_form import ParamsForm

if TYPE_CHECKING:
    from livedata.control.config_store import StoredConfig


class StartJobScreen(Screen):
    """Validates everything locally (errors at the field) before anything is sent."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Start", id="form.submit"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, spec: Any, initial: StoredConfig | None = None) -> None:
        """``initial``: the workflow's last config (``ControlApi.last_config``)."""
        super().__init__()
        self.spec = spec
        self.initial = initial

    def compose(self) -> ComposeResult:
        spec = self.spec
        initial = self.initial
        chosen = set(initial.source_names) if initial is not None else set()
        if not chosen & set(spec.source_names):
            chosen = set(spec.source_names)
        aux_chosen = dict(initial.aux_source_names) if initial is not None else {}
        with VerticalScroll(id="form"):
            yield Static(
                f"[b]Start {spec.title}[/b]  [dim]{spec.workflow_id}[/dim]\n"
                f"{spec.description}",
                id="form-title",
            )
            yield Label("Sources")
            yield SelectionList[str](
                *((name, name, name in chosen) for name in spec.source_names),
                id="sources",
            )
            yield Static("", id="err-sources", classes="error -empty")
            for name, aux in spec.aux_inputs.items():
                yield Label(aux.title or name)
                options = [(choice, choice) for choice in aux.choices]
                value = aux_chosen.get(name, aux.default)
                yield Select(
                    options,
                    value=value if value in aux.choices else Select.NULL,
                    allow_blank=not aux.required,
                    id=f"aux-{name}",
                )
            params = initial.params if initial is not None else None
            yield ParamsForm(spec.params, params, id="params")
            with Horizontal(id="form-buttons"):
                yield Button("Start (ctrl+s)", variant="success", id="start")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sources").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_submit()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.post_message(GoBack())

    def collect(self) -> tuple[list[str], dict[str, str], dict[str, Any]] | None:
        """Sources, aux choices and params, or None after showing the errors."""
        sources = list(self.query_one("#sources", SelectionList).selected)
        error = self.query_one("#err-sources", Static)
        error.update("" if sources else "⚠ choose at least one source")
        error.set_class(bool(sources), "-empty")
        aux = {}
        for name in self.spec.aux_inputs:
            value = self.query_one(f"#aux-{name}", Select).value
            if value is not Select.NULL:
                aux[name] = value
        checked = self.query_one("#params", ParamsForm).check()
        if not sources or (checked is None and self.spec.params is not None):
            return None
        if isinstance(checked, BaseModel):
            params = checked.model_dump(mode="json")
        else:
            params = {}
        return sources, aux, params

    def action_submit(self) -> None:
        collected = self.collect()
        if collected is None:
            self.notify("fix the marked fields", severity="error")
            return
        sources, aux, params = collected
        # In this order: the request leaves with the screen still attached.
        self.post_message(StartJob(str(self.spec.workflow_id), sources, params, aux))
        self.post_message(GoBack())
