"""ROI wire layout <-> ROI values, and per-pixel ROI bits."""

import numpy as np
import pytest
import scipp as sc

from livedata.workflows.roi import (
    PolygonROI,
    RectangleROI,
    inside_polygon,
    polygons_from_dataarray,
    polygons_to_dataarray,
    rectangles_from_dataarray,
    rectangles_to_dataarray,
    roi_bits,
)


def wire_roi(dim, index, x, y, unit="m"):
    return sc.DataArray(
        sc.array(dims=[dim], values=np.asarray(index, dtype=np.int32)),
        coords={
            "x": sc.array(dims=[dim], values=np.asarray(x, dtype=float), unit=unit),
            "y": sc.array(dims=[dim], values=np.asarray(y, dtype=float), unit=unit),
            "roi_index": sc.array(dims=[dim], values=np.asarray(index, np.int32)),
        },
    )


def test_rectangles_round_trip_through_the_wire_layout():
    rois = [
        RectangleROI(0, (0.1, 0.4), (-0.2, 0.3)),
        RectangleROI(3, (-1.0, 1.0), (2.0, 5.0)),
    ]
    da = rectangles_to_dataarray(rois, "m")
    assert da.dims == ("bounds",)
    assert da.sizes == {"bounds": 4}
    assert da.coords["x"].unit == sc.Unit("m")
    np.testing.assert_array_equal(da.coords["roi_index"].values, [0, 0, 3, 3])
    np.testing.assert_array_equal(da.coords["x"].values, [0.1, 0.4, -1.0, 1.0])
    assert rectangles_from_dataarray(da) == rois


def test_rectangle_bounds_are_sorted_whatever_corner_order():
    da = wire_roi("bounds", [1, 1], [0.4, 0.1], [0.3, -0.2])
    assert rectangles_from_dataarray(da) == [RectangleROI(1, (0.1, 0.4), (-0.2, 0.3))]


def test_polygons_round_trip_through_the_wire_layout():
    rois = [
        PolygonROI(4, (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
        PolygonROI(7, (0.0, 2.0, 2.0, 0.0), (0.0, 0.0, 2.0, 2.0)),
    ]
    da = polygons_to_dataarray(rois, None)
    assert da.dims == ("vertex",)
    assert da.sizes == {"vertex": 7}
    assert da.coords["x"].unit is None
    np.testing.assert_array_equal(da.coords["roi_index"].values, [4] * 3 + [7] * 4)
    assert polygons_from_dataarray(da) == rois


def test_empty_arrays_mean_no_roi():
    assert rectangles_from_dataarray(rectangles_to_dataarray([], "m")) == []
    assert polygons_from_dataarray(polygons_to_dataarray([], "m")) == []
    assert rectangles_to_dataarray([], "m").sizes == {"bounds": 0}
    assert polygons_to_dataarray([], None).sizes == {"vertex": 0}


@pytest.mark.parametrize(
    ("parse", "da", "match"),
    [
        (
            rectangles_from_dataarray,
            wire_roi("bounds", [0, 0, 0], [0, 1, 2], [0, 1, 2]),
            "exactly 2",
        ),
        (
            rectangles_from_dataarray,
            wire_roi("bounds", [4, 4], [0, 1], [0, 1]),
            "outside 0..3",
        ),
        (
            polygons_from_dataarray,
            wire_roi("vertex", [4, 4], [0, 1], [0, 1]),
            "at least 3",
        ),
        (
            polygons_from_dataarray,
            wire_roi("vertex", [2, 2, 2], [0, 1, 0], [0, 0, 1]),
            "outside 4..7",
        ),
        (
            rectangles_from_dataarray,
            wire_roi("vertex", [0, 0], [0, 1], [0, 1]),
            "single dim",
        ),
        (
            polygons_from_dataarray,
            sc.DataArray(sc.array(dims=["vertex"], values=[4, 4, 4])),
            "lacks the coords",
        ),
    ],
)
def test_invalid_rois_are_rejected_with_value_error(parse, da, match):
    with pytest.raises(ValueError, match=match):
        parse(da)


def test_roi_bits_of_a_known_rectangle_and_polygon():
    # 4 x 6 grid of pixel centres, row-major.
    y, x = (v.ravel().astype(float) for v in np.mgrid[0:4, 0:6])
    rect = RectangleROI(1, (1.0, 2.0), (0.0, 1.0))  # bounds inclusive
    triangle = PolygonROI(5, (2.6, 5.5, 5.5), (-0.5, -0.5, 2.4))
    bits = roi_bits(x, y, [rect], [triangle])
    assert bits.dtype == np.uint8
    grid = bits.reshape(4, 6)
    expected = np.zeros((4, 6), dtype=np.uint8)
    expected[0:2, 1:3] |= 0b10
    # Below the line from (2.6, -0.5) to (5.5, 2.4): x - y > 3.1.
    expected[0, 4] |= 1 << 5
    expected[0, 5] |= 1 << 5
    expected[1, 5] |= 1 << 5
    np.testing.assert_array_equal(grid, expected)


def test_overlapping_rois_set_several_bits():
    x = np.array([0.0, 1.0, 5.0])
    y = np.zeros(3)
    rects = [RectangleROI(0, (-1, 1.5), (-1, 1)), RectangleROI(2, (0.5, 6), (-1, 1))]
    np.testing.assert_array_equal(roi_bits(x, y, rects, []), [0b001, 0b101, 0b100])


def test_inside_polygon_even_odd_rule_on_a_square():
    px = np.array([0.5, 1.5, -0.1, 0.99])
    py = np.array([0.5, 0.5, 0.5, 0.01])
    inside = inside_polygon(px, py, (0, 1, 1, 0), (0, 0, 1, 1))
    np.testing.assert_array_equal(inside, [True, False, False, True])
