"""Parsing ``--rect`` and ``--polygon`` (jobs are named as everywhere else:
``livedata.control.job_ids``).

Shapes are parsed and validated (``livedata.control.roi``) before anything is
connected or published, so a bad shape exits 2 with one line and sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..control.roi import Polygon, Rectangle, RoiRequest


def _numbers(text: str, what: str) -> list[float]:
    from ..control.roi import RoiError

    parts = [p.strip() for p in text.split(",")]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise RoiError(f"{what} {text!r}: not numbers separated by commas") from None


def parse_rect(text: str) -> Rectangle:
    """``X0,X1,Y0,Y1`` -> a validated rectangle (RoiError otherwise)."""
    from ..control.roi import Rectangle, RoiError

    values = _numbers(text, "--rect")
    if len(values) != 4:
        raise RoiError(
            f"--rect {text!r}: expected X0,X1,Y0,Y1, got {len(values)} numbers"
        )
    try:
        return Rectangle(*values)
    except RoiError as error:
        raise RoiError(f"--rect {text!r}: {error}") from None


def parse_polygon(text: str) -> Polygon:
    """``x,y;x,y;...`` -> a validated polygon (RoiError otherwise)."""
    from ..control.roi import Polygon, RoiError

    points = []
    for vertex in (v for v in text.split(";") if v.strip()):
        values = _numbers(vertex, "--polygon vertex")
        if len(values) != 2:
            raise RoiError(f"--polygon vertex {vertex.strip()!r}: expected x,y")
        points.append((values[0], values[1]))
    try:
        return Polygon.from_points(points)
    except RoiError as error:
        raise RoiError(f"--polygon {text!r}: {error}") from None


def parse_request(
    rects: Sequence[str], polygons: Sequence[str], unit: str | None
) -> RoiRequest:
    from ..control.roi import RoiError, RoiRequest

    if unit is not None:
        import scipp as sc

        try:
            sc.Unit(unit)
        except Exception:  # scipp raises UnitError or ValueError by version
            raise RoiError(f"--unit {unit!r}: not a unit") from None
    return RoiRequest(
        tuple(parse_rect(r) for r in rects),
        tuple(parse_polygon(p) for p in polygons),
        unit,
    )
