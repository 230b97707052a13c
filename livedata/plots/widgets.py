"""Panel widgets generated from a pydantic params model (D11, as in the console).

Literals and enums become Selects, bools Checkboxes, numbers Float/IntInputs
(blank = None for optional fields), strings TextInputs, nested models Cards.
pydantic stays the judge: :meth:`ModelForm.value` returns the raw dict, and the
caller validates it with the model (a one-line message when rejected).
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import panel as pn
from pydantic import BaseModel


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _widget(name: str, annotation: Any, value: Any, label: str) -> Any:
    kind, _ = _unwrap(annotation)
    if typing.get_origin(kind) is typing.Literal:
        options = list(typing.get_args(kind))
        return pn.widgets.Select(label=label, options=options, value=value, width=150)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        options = {str(m.value): m.value for m in kind}
        current = value.value if isinstance(value, enum.Enum) else value
        return pn.widgets.Select(label=label, options=options, value=current, width=150)
    if kind is bool:
        return pn.widgets.Checkbox(label=label, value=bool(value), width=150)
    if kind is int:
        return pn.widgets.IntInput(label=label, value=value, width=150)
    if kind is float:
        return pn.widgets.FloatInput(label=label, value=value, width=150)
    return pn.widgets.TextInput(
        label=label, value="" if value is None else str(value), width=150
    )


class ModelForm:
    """Widgets for one model's fields, filled from ``values`` (else defaults)."""

    def __init__(
        self,
        model: type[BaseModel],
        values: Mapping[str, Any] | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.model = model
        current = model.model_validate(dict(values or {}))
        self.widgets: dict[str, Any] = {}
        self.forms: dict[str, ModelForm] = {}
        items = []
        for name, info in model.model_fields.items():
            value = getattr(current, name)
            annotation = info.annotation
            label = info.description or name
            kind, _ = _unwrap(annotation)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                sub = ModelForm(kind, value.model_dump(), on_change)
                self.forms[name] = sub
                items.append(pn.Card(sub.panel, title=label, collapsed=True))
                continue
            widget = _widget(name, annotation, value, label)
            widget.css_classes = [f"param-{name}"]
            if on_change is not None:
                widget.param.watch(lambda _event: on_change(), "value")
            self.widgets[name] = widget
            items.append(widget)
        self.panel = pn.Column(*items, sizing_mode="stretch_width")

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            value = widget.value
            if isinstance(widget, pn.widgets.TextInput) and value == "":
                _, optional = _unwrap(self.model.model_fields[name].annotation)
                if optional:
                    value = None
            out[name] = value
        for name, form in self.forms.items():
            out[name] = form.value()
        return out
