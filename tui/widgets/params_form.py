"""A form generated from a workflow's pydantic params model (D11).

Enums and Literals become Selects, bools Switches, numbers Inputs that show the
model's bounds, nested models titled groups; defaults are filled in and every
validation error is shown under the field it belongs to. pydantic stays the
single source of truth: the form collects raw values and lets the model judge.
``initial`` params (the workflow's last config, restored from the commands
topic) replace the defaults when the model accepts them.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch

Path = tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    """One leaf of the form: its path in the model and how to edit it."""

    path: Path
    kind: str  # "enum" | "bool" | "int" | "float" | "str" | "json"
    label: str
    default: Any
    optional: bool = False
    choices: tuple[Any, ...] = ()
    bounds: str = ""
    description: str = ""


def dom_id(prefix: str, path: Path) -> str:
    return prefix + "-" + "-".join(path) if path else prefix


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _bounds(metadata: list[Any]) -> str:
    parts = []
    for item in metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, attr, None)
            if value is not None:
                parts.append(f"{sign} {value:g}")
    return ", ".join(parts)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def default_instance(model: type[BaseModel]) -> BaseModel | None:
    try:
        return model()
    except ValidationError:
        return None


def initial_instance(
    model: type[BaseModel], initial: Mapping[str, Any] | None
) -> BaseModel | None:
    """``initial`` as the model, or the defaults when it is absent or invalid."""
    if initial:
        try:
            return model.model_validate(dict(initial))
        except ValidationError:
            pass
    return default_instance(model)


def describe(
    model: type[BaseModel], prefix: Path = (), instance: BaseModel | None = None
) -> list[FieldSpec | Path]:
    """Leaves of ``model`` in order; a bare ``Path`` marks the start of a group.

    Values come from ``instance`` (the model's defaults when None)."""
    if instance is None:
        instance = default_instance(model)
    out: list[FieldSpec | Path] = []
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        annotation, optional = _unwrap_optional(info.annotation)
        if _is_model(annotation):
            nested = getattr(instance, name, None) if instance is not None else None
            out.append(path)
            out.extend(
                describe(
                    annotation, path, nested if isinstance(nested, annotation) else None
                )
            )
            continue
        default = getattr(instance, name, None) if instance is not None else None
        label = info.title or name.replace("_", " ")
        common = {
            "path": path,
            "label": label,
            "default": default,
            "optional": optional,
            "description": info.description or "",
        }
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            out.append(FieldSpec(kind="enum", choices=tuple(annotation), **common))
        elif typing.get_origin(annotation) is typing.Literal:
            choices = typing.get_args(annotation)
            out.append(FieldSpec(kind="enum", choices=choices, **common))
        elif annotation is bool:
            out.append(FieldSpec(kind="bool", **common))
        elif annotation in (int, float):
            kind = annotation.__name__
            out.append(FieldSpec(kind=kind, bounds=_bounds(info.metadata), **common))
        elif annotation is str:
            out.append(FieldSpec(kind="str", **common))
        else:
            out.append(FieldSpec(kind="json", **common))
    return out


def _text(spec: FieldSpec) -> str:
    if spec.default is None:
        return ""
    if spec.kind == "json":
        return json.dumps(spec.default, default=str)
    return str(spec.default)


class ParamsForm(Widget):
    """Edits one params model; ``values()`` and ``check()`` for the caller."""

    DEFAULT_CSS = """
    ParamsForm { height: auto; }
    ParamsForm .group { border: round $primary 50%; padding: 0 1; height: auto; }
    ParamsForm .field { height: auto; margin-top: 1; }
    ParamsForm .field Label { width: 22; padding: 0 1 0 0; }
    ParamsForm .field Input { width: 1fr; }
    ParamsForm .field Select { width: 1fr; }
    ParamsForm .hint { color: $text-muted; padding: 0 0 0 22; height: auto; }
    ParamsForm .error { color: $error; padding: 0 0 0 22; height: auto; }
    ParamsForm .error.-empty { display: none; }
    """

    def __init__(
        self,
        model: type[BaseModel] | None,
        initial: Mapping[str, Any] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.fields = (
            describe(model, (), initial_instance(model, initial))
            if model is not None
            else []
        )

    def compose(self) -> ComposeResult:
        if self.model is None:
            yield Static("This workflow takes no parameters.", classes="hint")
            return
        yield from self._compose_level((), list(self.fields))
        yield Static("", id=dom_id("err", ()), classes="error -empty")

    def _compose_level(self, prefix: Path, items: list) -> ComposeResult:
        while items:
            item = items[0]
            if isinstance(item, tuple):
                if item[: len(prefix)] != prefix or len(item) != len(prefix) + 1:
                    return
                items.pop(0)
                with Vertical(classes="group", id=dom_id("group", item)) as group:
                    group.border_title = item[-1].replace("_", " ")
                    yield from self._compose_level(item, items)
                    yield Static("", id=dom_id("err", item), classes="error -empty")
                continue
            if item.path[: len(prefix)] != prefix:
                return
            items.pop(0)
            yield from self._compose_field(item)

    def _compose_field(self, spec: FieldSpec) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(spec.label)
            fid = dom_id("f", spec.path)
            if spec.kind == "enum":
                options = [(str(getattr(c, "value", c)), c) for c in spec.choices]
                yield Select(
                    options,
                    value=spec.default if spec.default in spec.choices else Select.NULL,
                    allow_blank=spec.optional or spec.default not in spec.choices,
                    id=fid,
                    compact=True,
                )
            elif spec.kind == "bool":
                yield Switch(value=bool(spec.default), id=fid)
            else:
                input_type = {"int": "integer", "float": "number"}.get(
                    spec.kind, "text"
                )
                yield Input(_text(spec), type=input_type, id=fid, compact=True)
        hint = " ".join(x for x in (spec.bounds, spec.description) if x)
        if hint:
            yield Static(hint, classes="hint")
        yield Static("", id=dom_id("err", spec.path), classes="error -empty")

    def leaves(self) -> list[FieldSpec]:
        return [f for f in self.fields if isinstance(f, FieldSpec)]

    def values(self) -> tuple[dict[str, Any], dict[Path, str]]:
        """The raw values as a nested dict, and per-field parse errors."""
        out: dict[str, Any] = {}
        errors: dict[Path, str] = {}
        for spec in self.leaves():
            widget = self.query_one("#" + dom_id("f", spec.path))
            try:
                value = _read(spec, widget)
            except ValueError as err:
                errors[spec.path] = str(err)
                continue
            if value is None and not spec.optional:
                continue  # let the model fill its default
            target = out
            for part in spec.path[:-1]:
                target = target.setdefault(part, {})
            target[spec.path[-1]] = value
        return out, errors

    def check(self) -> BaseModel | dict[str, Any] | None:
        """Validate; show every error at its field; the model (or None on errors)."""
        values, errors = self.values()
        if self.model is not None and not errors:
            try:
                return self.model.model_validate(values)
            except ValidationError as err:
                for item in err.errors():
                    path = tuple(str(p) for p in item["loc"])
                    errors.setdefault(self._nearest(path), _message(item))
        self.show_errors(errors)
        return None if errors or self.model is None else values

    def show_errors(self, errors: dict[Path, str]) -> None:
        for node in self.query(".error"):
            node.update("")
            node.add_class("-empty")
        for path, message in errors.items():
            matches = self.query("#" + dom_id("err", path))
            if matches:
                matches.first().update(f"⚠ {message}")
                matches.first().remove_class("-empty")

    def _nearest(self, path: Path) -> Path:
        known = {f.path for f in self.leaves()} | {
            f for f in self.fields if isinstance(f, tuple)
        }
        while path and path not in known:
            path = path[:-1]
        return path


def _message(item: dict[str, Any]) -> str:
    return str(item.get("msg", "invalid")).removeprefix("Value error, ")


def _read(spec: FieldSpec, widget: Widget) -> Any:
    if spec.kind == "enum":
        value = widget.value
        return None if value is Select.NULL else value
    if spec.kind == "bool":
        return widget.value
    text = widget.value.strip()
    if not text:
        return None
    if spec.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError("not a whole number") from None
    if spec.kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError("not a number") from None
    if spec.kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("not valid JSON") from None
    return text
