"""How ``livedata roi`` prints a request beside its readback."""

from __future__ import annotations

from typing import Any


def _shape_text(shape: dict[str, Any]) -> str:
    x, y = shape["x"], shape["y"]
    if shape["kind"] == "rectangle":
        return f"x {x[0]:g}..{x[1]:g}  y {y[0]:g}..{y[1]:g}"
    points = " ".join(f"({a:g},{b:g})" for a, b in zip(x[:4], y[:4], strict=True))
    more = f" +{len(x) - 4} more" if len(x) > 4 else ""
    return f"{len(x)} vertices {points}{more}"


def rows(state) -> list[list[str]]:
    """One row per roi_index: kind, request, readback."""
    doc = state.to_json()
    sides = {}
    for side in ("request", "readback"):
        shapes = (doc[side] or {}).get("shapes", [])
        sides[side] = {s["roi_index"]: s for s in shapes}
    out = []
    for index in sorted(set(sides["request"]) | set(sides["readback"])):
        req, back = sides["request"].get(index), sides["readback"].get(index)
        kind = (req or back)["kind"]
        out.append(
            [
                str(index),
                kind,
                _shape_text(req) if req else "-",
                _shape_text(back) if back else "-",
            ]
        )
    return out


def print_state(job_id: str, state, as_json: bool) -> None:
    import typer

    from .output import emit_json, print_table

    if as_json:
        emit_json({"job_id": job_id, **state.to_json()})
        return
    doc = state.to_json()

    def unit(side: str) -> str:
        if doc[side] is None:
            return "none seen" if side == "request" else "none yet"
        return doc[side]["unit"] or "pixels"

    columns = [
        "ROI",
        "KIND",
        f"REQUEST ({unit('request')})",
        f"READBACK ({unit('readback')})",
    ]
    body = rows(state)
    if body:
        print_table(columns, body)
    else:
        typer.echo("no ROIs" if state.readback is not None else "no ROIs requested")
    typer.echo(f"{job_id}: {state.sync.value}")
    if state.problem:
        typer.echo(f"readback unreadable: {state.problem}", err=True)
