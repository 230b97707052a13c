"""Parsing ``--rect``/``--polygon`` and naming a job by id or prefix (no I/O)."""

from __future__ import annotations

import pytest

from livedata.cli.roi_args import match_jobs, parse_polygon, parse_rect, parse_request
from livedata.control.roi import RoiError
from livedata.control.snapshots import JobRow, Snapshot

A = "11111111-aaaa-4000-8000-000000000000"
B = "11112222-bbbb-4000-8000-000000000000"


def job(source: str, number: str) -> JobRow:
    return JobRow(f"{source}/{number}", source, number, "dummy/panel_0_xy/1", "active")


SNAP = Snapshot(version=1, jobs=(job("panel_0", A), job("panel_0", B), job("mon", A)))


def test_rect_and_polygon_parse_with_spaces():
    r = parse_rect(" -0.5, 0.5 ,-1,1 ")
    assert (r.x0, r.x1, r.y0, r.y1) == (-0.5, 0.5, -1.0, 1.0)
    p = parse_polygon("0,0; 1,0; 1,1; 0,1;")
    assert p.x == (0.0, 1.0, 1.0, 0.0) and p.y == (0.0, 0.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0,1,0", "expected X0,X1,Y0,Y1, got 3 numbers"),
        ("a,1,0,1", "not numbers"),
        ("1,0,0,1", "x0 < x1"),
        ("0,1,1,0", "y0 < y1"),
        ("0,1,0,inf", "finite"),
    ],
)
def test_bad_rectangles_say_which_and_why(text, words):
    with pytest.raises(RoiError, match=words) as info:
        parse_rect(text)
    assert "--rect" in str(info.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("0,0;1,1", "at least 3 vertices, got 2"),
        ("0,0;1;1,1", "expected x,y"),
        ("0,0;1,x;1,1", "not numbers"),
    ],
)
def test_bad_polygons_say_why(text, words):
    with pytest.raises(RoiError, match=words):
        parse_polygon(text)


def test_request_counts_shapes_and_checks_the_unit():
    with pytest.raises(RoiError, match="5 rectangles, at most 4"):
        parse_request(["0,1,0,1"] * 5, [], None)
    with pytest.raises(RoiError, match="not a unit"):
        parse_request(["0,1,0,1"], [], "parsecs!")
    assert parse_request([], ["0,0;1,0;0,1"], "mm").indices == (4,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"panel_0/{A}", [f"panel_0/{A}"]),
        (A, [f"panel_0/{A}", f"mon/{A}"]),  # the number alone: both sources
        ("11112", [f"panel_0/{B}"]),
        ("1111", [f"panel_0/{A}", f"panel_0/{B}", f"mon/{A}"]),
        ("panel_0/1111", [f"panel_0/{A}", f"panel_0/{B}"]),
        ("mon/1111", [f"mon/{A}"]),
        ("2222", []),
    ],
)
def test_jobs_are_named_by_id_number_or_unique_prefix(text, expected):
    assert [j.job_id for j in match_jobs(SNAP, text)] == expected
