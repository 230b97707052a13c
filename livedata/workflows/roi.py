"""Regions of interest: wire layout (docs/wire.md "ROI requests") and pixel selection.

Rectangles travel with dim ``bounds`` (min and max of ``x`` and ``y`` per ROI),
polygons with dim ``vertex``; several ROIs are concatenated and told apart by a
``roi_index`` coordinate (rectangles 0-3, polygons 4-7). An empty array means "no
ROI". Selection is per pixel, from its nominal screen position, computed once per
ROI change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipp as sc

RECTANGLE_INDICES = range(0, 4)
POLYGON_INDICES = range(4, 8)
# Selecting pixels costs one vectorised pass per vertex: a bound keeps an ROI
# change to milliseconds (a million vertices froze a service for 43 s).
MAX_POLYGON_VERTICES = 1000


@dataclass(frozen=True)
class RectangleROI:
    index: int
    x: tuple[float, float]
    y: tuple[float, float]


@dataclass(frozen=True)
class PolygonROI:
    index: int
    x: tuple[float, ...]
    y: tuple[float, ...]


def _check_index(index: int, allowed: range, kind: str) -> int:
    if index not in allowed:
        raise ValueError(
            f"{kind} roi_index {index} outside {allowed.start}..{allowed.stop - 1}"
        )
    return index


def _roi_coords(da: sc.DataArray, dim: str) -> tuple[np.ndarray, ...] | None:
    """(roi_index, x, y) of a wire ROI; None when empty; ValueError when malformed."""
    if da.data.values.size == 0:
        return None
    if da.dims != (dim,):
        raise ValueError(f"ROI must have the single dim {dim!r}, got {da.dims}")
    missing = sorted({"roi_index", "x", "y"} - set(da.coords))
    if missing:
        raise ValueError(f"ROI lacks the coords {missing}")
    return tuple(da.coords[name].values for name in ("roi_index", "x", "y"))


def rectangles_from_dataarray(da: sc.DataArray) -> list[RectangleROI]:
    coords = _roi_coords(da, "bounds")
    if coords is None:
        return []
    index, x, y = coords
    out = []
    for k in np.unique(index):
        sel = index == k
        if sel.sum() != 2:
            raise ValueError(f"rectangle {k} needs exactly 2 bounds, got {sel.sum()}")
        xs, ys = np.sort(x[sel]), np.sort(y[sel])
        idx = _check_index(int(k), RECTANGLE_INDICES, "rectangle")
        out.append(RectangleROI(idx, (xs[0], xs[1]), (ys[0], ys[1])))
    return out


def polygons_from_dataarray(da: sc.DataArray) -> list[PolygonROI]:
    coords = _roi_coords(da, "vertex")
    if coords is None:
        return []
    index, x, y = coords
    out = []
    for k in np.unique(index):
        sel = index == k
        if sel.sum() < 3:
            raise ValueError(f"polygon {k} needs at least 3 vertices")
        if sel.sum() > MAX_POLYGON_VERTICES:
            raise ValueError(
                f"polygon {k} has {sel.sum()} vertices > {MAX_POLYGON_VERTICES}"
            )
        idx = _check_index(int(k), POLYGON_INDICES, "polygon")
        out.append(PolygonROI(idx, tuple(x[sel]), tuple(y[sel])))
    return out


def rectangles_to_dataarray(rois: list[RectangleROI], unit: str | None) -> sc.DataArray:
    index = np.repeat([r.index for r in rois], 2).astype(np.int32)
    x = [v for r in rois for v in r.x]
    y = [v for r in rois for v in r.y]
    return _layout("bounds", index, x, y, unit)


def polygons_to_dataarray(rois: list[PolygonROI], unit: str | None) -> sc.DataArray:
    index = np.concatenate(
        [np.full(len(r.x), r.index) for r in rois] or [np.zeros(0)]
    ).astype(np.int32)
    x = [v for r in rois for v in r.x]
    y = [v for r in rois for v in r.y]
    return _layout("vertex", index, x, y, unit)


def _layout(dim: str, index, x, y, unit) -> sc.DataArray:
    # Indices carry no unit (None, as the output templates declare).
    index = np.asarray(index, dtype=np.int32)
    return sc.DataArray(
        sc.array(dims=[dim], values=index, unit=None),
        coords={
            "x": sc.array(dims=[dim], values=np.asarray(x, dtype=float), unit=unit),
            "y": sc.array(dims=[dim], values=np.asarray(y, dtype=float), unit=unit),
            "roi_index": sc.array(dims=[dim], values=index.copy(), unit=None),
        },
    )


def inside_polygon(px: np.ndarray, py: np.ndarray, vx, vy) -> np.ndarray:
    """Even-odd rule, vectorised over points (no matplotlib dependency)."""
    inside = np.zeros(px.shape, dtype=bool)
    n = len(vx)
    for i in range(n):
        x1, y1, x2, y2 = vx[i], vy[i], vx[(i + 1) % n], vy[(i + 1) % n]
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = (x2 - x1) * (py - y1) / (y2 - y1) + x1
        inside ^= crosses & (px < x_at)
    return inside


def roi_bits(
    x: np.ndarray,
    y: np.ndarray,
    rectangles: list[RectangleROI],
    polygons: list[PolygonROI],
) -> np.ndarray:
    """uint8 per pixel: bit k set when the pixel's position lies in ROI k."""
    bits = np.zeros(x.shape, dtype=np.uint8)
    for r in rectangles:
        sel = (x >= r.x[0]) & (x <= r.x[1]) & (y >= r.y[0]) & (y <= r.y[1])
        bits[sel] |= np.uint8(1 << r.index)
    for p in polygons:
        bits[inside_polygon(x, y, p.x, p.y)] |= np.uint8(1 << p.index)
    return bits
