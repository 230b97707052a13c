"""Which layers may stack in one plot cell (D13), declared in one registry.

A cell draws a base layer from data and may stack overlays on it: on an image
the service's ROI readback (confirmed shapes) and the editable ROI request
above it; on lines static vertical and horizontal lines and rectangles whose
positions come from params only (no data stream). ``OVERLAY_PATTERNS`` is the
single place that says so; :func:`check_layers` refuses anything else with a
message that names what may stack instead. Values (``image``, ``lines``) match
the grid's plotter names. No UI imports: the plot server and the console's
grid editor share it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class LayerKind(StrEnum):
    """What one layer of a cell draws; base kinds come from data, the rest stack."""

    IMAGE = "image"  # a 2-d output
    LINES = "lines"  # a 1-d output, or ROI spectra (one curve per ROI)
    ROI_READBACK = "roi_readback"  # the service's confirmed ROIs
    ROI_REQUEST = "roi_request"  # the ROIs being edited (published on change)
    VLINES = "vlines"  # static vertical lines at params positions
    HLINES = "hlines"  # static horizontal lines
    RECTANGLES = "rectangles"  # static rectangles


STATIC_KINDS = frozenset({LayerKind.VLINES, LayerKind.HLINES, LayerKind.RECTANGLES})


class OverlayError(ValueError):
    """A composition the registry does not allow; the message says what would."""


@dataclass(frozen=True)
class OverlayPattern:
    """A base layer and the overlays that may stack on it, bottom to top.

    ``requires`` maps an overlay to the one that must lie below it (a request
    is drawn over the readback, so a user sees when the service took it).
    ``single`` overlays appear at most once.
    """

    base: LayerKind
    overlays: tuple[LayerKind, ...]
    requires: Mapping[LayerKind, LayerKind] = field(default_factory=dict)
    single: frozenset[LayerKind] = frozenset()
    description: str = ""


OVERLAY_PATTERNS: dict[LayerKind, OverlayPattern] = {
    p.base: p
    for p in (
        OverlayPattern(
            LayerKind.IMAGE,
            (LayerKind.ROI_READBACK, LayerKind.ROI_REQUEST),
            requires={LayerKind.ROI_REQUEST: LayerKind.ROI_READBACK},
            single=frozenset({LayerKind.ROI_READBACK, LayerKind.ROI_REQUEST}),
            description="a detector image with confirmed and editable ROIs",
        ),
        OverlayPattern(
            LayerKind.LINES,
            (LayerKind.VLINES, LayerKind.HLINES, LayerKind.RECTANGLES),
            description="curves with static lines and rectangles from params",
        ),
    )
}


def _names(kinds: Sequence[LayerKind]) -> str:
    return ", ".join(k.value for k in kinds) or "nothing"


def check_layers(kinds: Sequence[LayerKind | str]) -> tuple[LayerKind, ...]:
    """The layers of one cell, bottom first; ``OverlayError`` when not allowed."""
    try:
        layers = tuple(LayerKind(k) for k in kinds)
    except ValueError:
        known = _names(tuple(LayerKind))
        bad = next(k for k in kinds if k not in {m.value for m in LayerKind})
        raise OverlayError(f"unknown layer kind {bad!r} (known: {known})") from None
    if not layers:
        raise OverlayError("a cell needs at least one layer")
    base, *overlays = layers
    pattern = OVERLAY_PATTERNS.get(base)
    if pattern is None:
        bases = _names(tuple(OVERLAY_PATTERNS))
        raise OverlayError(
            f"{base.value} cannot be a cell's first layer (a data layer: {bases})"
        )
    seen: list[LayerKind] = [base]
    for layer in overlays:
        if layer not in pattern.overlays:
            raise OverlayError(
                f"{layer.value} cannot stack on {base.value}; on {base.value}"
                f" may stack: {_names(pattern.overlays)}"
            )
        if layer in pattern.single and layer in seen:
            raise OverlayError(f"{layer.value} appears twice on {base.value}")
        needed = pattern.requires.get(layer)
        if needed is not None and needed not in seen:
            raise OverlayError(
                f"{layer.value} needs a {needed.value} layer below it"
                " (the confirmed shapes are drawn under the editable ones)"
            )
        seen.append(layer)
    return layers


def allowed_overlays(base: LayerKind | str) -> tuple[LayerKind, ...]:
    """What may stack on ``base`` (a wizard offers these); () for none."""
    pattern = OVERLAY_PATTERNS.get(LayerKind(base))
    return () if pattern is None else pattern.overlays


# -- static layers: positions from params only ---------------------------------


class _Static(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StaticLines(_Static):
    """Positions of static vertical (``vlines``) or horizontal (``hlines``) lines."""

    positions: tuple[float, ...] = Field(min_length=1, max_length=100)
    label: str = ""

    @field_validator("positions")
    @classmethod
    def _finite(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if not all(math.isfinite(v) for v in values):
            raise ValueError("positions must be finite numbers")
        return values


class StaticRectangle(_Static):
    """One static rectangle, ``x0 < x1`` and ``y0 < y1`` (finite)."""

    x0: float
    x1: float
    y0: float
    y1: float

    @field_validator("x0", "x1", "y0", "y1")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    def model_post_init(self, _context: Any) -> None:
        if not self.x0 < self.x1:
            raise ValueError(f"rectangle needs x0 < x1, got {self.x0:g}, {self.x1:g}")
        if not self.y0 < self.y1:
            raise ValueError(f"rectangle needs y0 < y1, got {self.y0:g}, {self.y1:g}")


class StaticRectangles(_Static):
    """The rectangles of one static ``rectangles`` layer."""

    rectangles: tuple[StaticRectangle, ...] = Field(min_length=1, max_length=100)
    label: str = ""


STATIC_PARAMS: dict[LayerKind, type[_Static]] = {
    LayerKind.VLINES: StaticLines,
    LayerKind.HLINES: StaticLines,
    LayerKind.RECTANGLES: StaticRectangles,
}


def static_params(kind: LayerKind | str, params: Mapping[str, Any]) -> _Static:
    """The validated params of a static layer; ``OverlayError`` in one line."""
    kind = LayerKind(kind)
    model = STATIC_PARAMS.get(kind)
    if model is None:
        raise OverlayError(f"{kind.value} is not a static layer")
    try:
        return model.model_validate(dict(params))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or kind.value
        raise OverlayError(f"{kind.value} params: {where}: {first['msg']}") from None
