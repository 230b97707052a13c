"""Panel widgets generated from a pydantic params model (D11, as in the console).

Literals and enums become Selects, bools Checkboxes, numbers Float/IntInputs
(blank = None for optional fields), strings TextInputs (or Selects where the
caller offers ``choices``, e.g. correlation axes on offer), nested models Cards,
and tuples of numbers or of small models one text line (``1, 2.5`` or
``x0,x1,y0,y1; x0,x1,y0,y1``). pydantic stays the judge:
:meth:`ModelForm.value` returns the raw dict, and the caller validates it with
the model (a one-line message when rejected).
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


def _sequence_of(annotation: Any) -> Any:
    """The item type of ``tuple[X, ...]`` / ``list[X]``, else None."""
    kind, _ = _unwrap(annotation)
    origin = typing.get_origin(kind)
    if origin not in (tuple, list):
        return None
    args = [a for a in typing.get_args(kind) if a is not Ellipsis]
    return args[0] if len(args) == 1 else None


def _number(item: Any) -> bool:
    return item in (float, int)


def _model_fields(item: Any) -> list[str] | None:
    if isinstance(item, type) and issubclass(item, BaseModel):
        return list(item.model_fields)
    return None


def _sequence_text(item: Any, value: Any) -> str:
    """A tuple of numbers or of flat models as one line of text."""
    if not value:
        return ""
    fields = _model_fields(item)
    if fields is None:
        return ", ".join(f"{v:g}" for v in value)
    return "; ".join(",".join(f"{getattr(v, f):g}" for f in fields) for v in value)


def _parse_sequence(item: Any, text: str) -> Any:
    """The list the model expects, or the text itself when it does not parse
    (the model then says what is wrong)."""
    fields = _model_fields(item)
    try:
        if fields is None:
            return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
        rows = [r for r in text.split(";") if r.strip()]
        return [
            dict(zip(fields, (float(v) for v in r.split(",")), strict=True))
            for r in rows
        ]
    except ValueError:
        return text


def _widget(name: str, annotation: Any, value: Any, label: str) -> Any:
    kind, _ = _unwrap(annotation)
    item = _sequence_of(annotation)
    if item is not None and (_number(item) or _model_fields(item) is not None):
        return pn.widgets.TextInput(
            label=label, value=_sequence_text(item, value), width=240
        )
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
        *,
        choices: Mapping[str, Mapping[str, Any]] | None = None,
        exclude: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        self.model = model
        self.values = dict(values or {})
        try:
            current: Any = model.model_validate(self.values)
        except ValueError:  # not complete yet: what is given, else defaults
            current = _Defaults(model, self.values)
        self.widgets: dict[str, Any] = {}
        self.forms: dict[str, ModelForm] = {}
        self.exclude = frozenset(exclude)
        items = []
        for name, info in model.model_fields.items():
            if name in self.exclude:
                continue
            value = getattr(current, name, info.default)
            annotation = info.annotation
            label = info.description or name
            kind, _ = _unwrap(annotation)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                sub = ModelForm(kind, value.model_dump(), on_change)
                self.forms[name] = sub
                items.append(pn.Card(sub.panel, title=label, collapsed=True))
                continue
            offered = (choices or {}).get(name)
            if offered is not None:
                options = dict(offered)
                if value not in options.values():
                    options[str(value)] = value
                widget = pn.widgets.Select(
                    label=label, options=options, value=value, width=320
                )
            else:
                widget = _widget(name, annotation, value, label)
            widget.css_classes = [f"param-{name}"]
            if on_change is not None:
                widget.param.watch(lambda _event: on_change(), "value")
            self.widgets[name] = widget
            items.append(widget)
        self.panel = pn.Column(*items, sizing_mode="stretch_width")

    def value(self) -> dict[str, Any]:
        """The raw values (fields left out of the form keep the given ones)."""
        out: dict[str, Any] = {
            k: v for k, v in self.values.items() if k in self.exclude
        }
        for name, widget in self.widgets.items():
            value = widget.value
            annotation = self.model.model_fields[name].annotation
            item = _sequence_of(annotation)
            if isinstance(widget, pn.widgets.TextInput) and item is not None:
                value = _parse_sequence(item, value)
            elif isinstance(widget, pn.widgets.TextInput) and value == "":
                _, optional = _unwrap(annotation)
                if optional:
                    value = None
            out[name] = value
        for name, form in self.forms.items():
            out[name] = form.value()
        return out


class _Defaults:
    """Field values for a form whose values do not validate yet (a correlation
    before its axes are chosen): the given ones, else the field defaults."""

    def __init__(self, model: type[BaseModel], values: Mapping[str, Any]) -> None:
        for name, info in model.model_fields.items():
            default = (
                None
                if info.is_required()
                else info.get_default(call_default_factory=True)
            )
            setattr(self, name, values.get(name, default))
