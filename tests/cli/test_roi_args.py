"""Parsing ``--rect``/``--polygon`` (no I/O)."""

from __future__ import annotations

import pytest

from livedata.cli.roi_args import parse_polygon, parse_rect, parse_request
from livedata.control.roi import RoiError


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
