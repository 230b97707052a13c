"""A job's regions of interest as a client asks for them (D12), UI-agnostic.

A request holds up to four rectangles (``roi_index`` 0-3) and four polygons
(4-7) in one unit. It is validated when built, so a bad shape never reaches the
bus; it converts to and from the da00 layout of docs/wire.md "ROI requests" (dim
``bounds`` for rectangles, ``vertex`` for polygons, ``x``/``y`` coords with the
unit, an empty array meaning "no ROI"). The plot server, the CLI and the
console all build their requests here. scipp is imported only to convert.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import scipp as sc

MAX_RECTANGLES = 4
MAX_POLYGONS = 4
# The service rejects larger polygons (livedata.workflows.roi, kafka.checks);
# tests/control/test_roi_request.py checks the bounds agree.
MAX_POLYGON_VERTICES = 1000
FIRST_POLYGON_INDEX = 4
SHAPES = ("roi_rectangle", "roi_polygon")
DIMS = {"roi_rectangle": "bounds", "roi_polygon": "vertex"}


# One colour per roi_index (0-3 rectangles, 4-7 polygons), shared by every view,
# so a shape and its spectrum match in the plot server and the console alike.
ROI_COLOURS = (
    "#e41a1c",
    "#377eb8",
    "#4daf4a",
    "#984ea3",
    "#ff7f00",
    "#a65628",
    "#f781bf",
    "#17becf",
)


def roi_colour(index: int) -> str:
    """The colour of ROI ``index`` (hex)."""
    return ROI_COLOURS[index % len(ROI_COLOURS)]


class RoiError(ValueError):
    """A shape or request that must not be published; the message says why."""


def _finite(values: Sequence[float], what: str) -> tuple[float, ...]:
    out = []
    for v in values:
        try:
            number = float(v)
        except (TypeError, ValueError):
            raise RoiError(f"{what}: {v!r} is not a number") from None
        if not math.isfinite(number):
            raise RoiError(f"{what}: {v!r} is not a finite number")
        out.append(number)
    return tuple(out)


@dataclass(frozen=True)
class Rectangle:
    """An axis-aligned box: ``x0 < x1`` and ``y0 < y1``."""

    x0: float
    x1: float
    y0: float
    y1: float

    def __post_init__(self) -> None:
        x0, x1, y0, y1 = _finite((self.x0, self.x1, self.y0, self.y1), "rectangle")
        if not x0 < x1:
            raise RoiError(f"rectangle needs x0 < x1, got x0={x0:g} x1={x1:g}")
        if not y0 < y1:
            raise RoiError(f"rectangle needs y0 < y1, got y0={y0:g} y1={y1:g}")
        for name, value in zip(("x0", "x1", "y0", "y1"), (x0, x1, y0, y1), strict=True):
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Polygon:
    """A closed polygon of 3 to ``MAX_POLYGON_VERTICES`` vertices (not repeated)."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __post_init__(self) -> None:
        x, y = _finite(self.x, "polygon x"), _finite(self.y, "polygon y")
        if len(x) != len(y):
            raise RoiError(f"polygon has {len(x)} x but {len(y)} y values")
        if len(x) < 3:
            raise RoiError(f"polygon needs at least 3 vertices, got {len(x)}")
        if len(x) > MAX_POLYGON_VERTICES:
            raise RoiError(
                f"polygon has {len(x)} vertices, at most {MAX_POLYGON_VERTICES}"
            )
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    @classmethod
    def from_points(cls, points: Sequence[tuple[float, float]]) -> Polygon:
        return cls(tuple(p[0] for p in points), tuple(p[1] for p in points))


@dataclass(frozen=True)
class RoiRequest:
    """All ROIs of one job; ``unit`` is that of every coordinate (None: pixels).

    Shapes keep their position: rectangle ``k`` travels as ``roi_index`` k,
    polygon ``k`` as ``4 + k``, so a spectrum's colour follows its shape.
    """

    rectangles: tuple[Rectangle, ...] = ()
    polygons: tuple[Polygon, ...] = ()
    unit: str | None = "m"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rectangles", tuple(self.rectangles))
        object.__setattr__(self, "polygons", tuple(self.polygons))
        if len(self.rectangles) > MAX_RECTANGLES:
            raise RoiError(
                f"{len(self.rectangles)} rectangles, at most {MAX_RECTANGLES} per job"
            )
        if len(self.polygons) > MAX_POLYGONS:
            raise RoiError(
                f"{len(self.polygons)} polygons, at most {MAX_POLYGONS} per job"
            )

    @property
    def empty(self) -> bool:
        return not self.rectangles and not self.polygons

    @property
    def indices(self) -> tuple[int, ...]:
        """The ``roi_index`` of every shape, rectangles first."""
        rects = tuple(range(len(self.rectangles)))
        polys = tuple(FIRST_POLYGON_INDEX + k for k in range(len(self.polygons)))
        return rects + polys

    def to_dataarrays(self) -> dict[str, sc.DataArray]:
        """The two wire arrays, by stream suffix (``roi_rectangle``, ``roi_polygon``)."""
        index, x, y = [], [], []
        for k, r in enumerate(self.rectangles):
            index += [k, k]
            x += [r.x0, r.x1]
            y += [r.y0, r.y1]
        rectangles = _layout("bounds", index, x, y, self.unit)
        index, x, y = [], [], []
        for k, p in enumerate(self.polygons):
            index += [FIRST_POLYGON_INDEX + k] * len(p.x)
            x += list(p.x)
            y += list(p.y)
        polygons = _layout("vertex", index, x, y, self.unit)
        return {"roi_rectangle": rectangles, "roi_polygon": polygons}

    @classmethod
    def from_dataarrays(
        cls, rectangles: sc.DataArray | None, polygons: sc.DataArray | None
    ) -> RoiRequest:
        """Read the wire layout back (a readback, or a request seen on the topic).

        Raises ``RoiError`` for anything that is not that layout.
        """
        units = set()
        rects: list[Rectangle] = []
        polys: list[Polygon] = []
        for index, x, y, unit in _groups(rectangles, "bounds"):
            if len(x) != 2:
                raise RoiError(f"rectangle {index} has {len(x)} bounds, not 2")
            rects.append(Rectangle(min(x), max(x), min(y), max(y)))
            units.add(unit)
        for _index, x, y, unit in _groups(polygons, "vertex"):
            polys.append(Polygon(x, y))
            units.add(unit)
        if len(units) > 1:
            raise RoiError(f"ROIs in several units: {sorted(map(str, units))}")
        unit = units.pop() if units else _unit_of(rectangles, polygons)
        return cls(tuple(rects), tuple(polys), unit)

    def to(self, unit: str | None) -> RoiRequest:
        """The same shapes in ``unit`` (scipp's conversion; RoiError if none)."""
        if unit == self.unit:
            return self
        if unit is None or self.unit is None:
            raise RoiError(f"cannot convert ROIs in {self.unit} to {unit}")
        import scipp as sc

        try:
            factor = sc.scalar(1.0, unit=self.unit).to(unit=unit).value
        except sc.UnitError:
            raise RoiError(f"cannot convert ROIs in {self.unit} to {unit}") from None
        rects = tuple(
            Rectangle(r.x0 * factor, r.x1 * factor, r.y0 * factor, r.y1 * factor)
            for r in self.rectangles
        )
        polys = tuple(
            Polygon(
                tuple(v * factor for v in p.x),
                tuple(v * factor for v in p.y),
            )
            for p in self.polygons
        )
        return RoiRequest(rects, polys, unit)

    def same_shapes(self, other: RoiRequest, rel_tol: float = 1e-9) -> bool:
        """Equal shapes in positions and values, after converting ``other``."""
        try:
            other = other.to(self.unit)
        except RoiError:
            return self.empty and other.empty
        if len(self.rectangles) != len(other.rectangles) or len(self.polygons) != len(
            other.polygons
        ):
            return False
        mine = [_flat(s) for s in (*self.rectangles, *self.polygons)]
        theirs = [_flat(s) for s in (*other.rectangles, *other.polygons)]
        return all(
            len(a) == len(b)
            and all(
                math.isclose(u, v, rel_tol=rel_tol, abs_tol=1e-12)
                for u, v in zip(a, b, strict=True)
            )
            for a, b in zip(mine, theirs, strict=True)
        )

    def describe(self) -> list[dict]:
        """JSON-ready shapes (for ``roi show --json``)."""
        out: list[dict] = []
        for k, r in zip(self.indices, self.rectangles, strict=False):
            out.append(
                {
                    "roi_index": k,
                    "kind": "rectangle",
                    "x": [r.x0, r.x1],
                    "y": [r.y0, r.y1],
                }
            )
        for k, p in zip(
            self.indices[len(self.rectangles) :], self.polygons, strict=True
        ):
            out.append(
                {"roi_index": k, "kind": "polygon", "x": list(p.x), "y": list(p.y)}
            )
        return out


def _flat(shape: Rectangle | Polygon) -> tuple[float, ...]:
    if isinstance(shape, Rectangle):
        return (shape.x0, shape.x1, shape.y0, shape.y1)
    return shape.x + shape.y


def roi_stream_name(source_name: str, job_number: str, shape: str) -> str:
    """The job's ROI stream, ``{source}/{job_number}/roi_{shape}`` (docs/wire.md)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown ROI shape {shape!r}")
    return f"{source_name}/{job_number}/{shape}"


def _layout(dim: str, index, x, y, unit: str | None) -> sc.DataArray:
    import numpy as np
    import scipp as sc

    index = np.asarray(index, dtype=np.int32)
    return sc.DataArray(
        sc.array(dims=[dim], values=index, unit=None),
        coords={
            "x": sc.array(dims=[dim], values=np.asarray(x, dtype=float), unit=unit),
            "y": sc.array(dims=[dim], values=np.asarray(y, dtype=float), unit=unit),
            "roi_index": sc.array(dims=[dim], values=index.copy(), unit=None),
        },
    )


def _unit_of(*arrays: sc.DataArray | None) -> str | None:
    for da in arrays:
        if da is not None and "x" in da.coords and da.coords["x"].unit is not None:
            return str(da.coords["x"].unit)
    return None


def _groups(da: sc.DataArray | None, dim: str):
    """(roi_index, x, y, unit) per ROI of one wire array, in index order."""
    import numpy as np

    if da is None or da.data.values.size == 0:
        return []
    if da.dims != (dim,):
        raise RoiError(f"ROI array must have the single dim {dim!r}, got {da.dims}")
    missing = sorted({"roi_index", "x", "y"} - set(da.coords))
    if missing:
        raise RoiError(f"ROI array lacks the coords {missing}")
    if da.coords["x"].unit != da.coords["y"].unit:
        raise RoiError("ROI x and y have different units")
    unit = da.coords["x"].unit
    unit = None if unit is None else str(unit)
    index = np.asarray(da.coords["roi_index"].values)
    x = np.asarray(da.coords["x"].values, dtype=float)
    y = np.asarray(da.coords["y"].values, dtype=float)
    return [
        (int(k), tuple(x[index == k]), tuple(y[index == k]), unit)
        for k in np.unique(index)
    ]
