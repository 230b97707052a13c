"""The overlay registry: valid stacks pass, everything else is refused clearly."""

from __future__ import annotations

import pytest

from livedata.control.overlays import (
    OVERLAY_PATTERNS,
    LayerKind,
    OverlayError,
    StaticLines,
    allowed_overlays,
    check_layers,
    static_params,
)


@pytest.mark.parametrize(
    "layers",
    [
        ["image"],
        ["image", "roi_readback"],
        ["image", "roi_readback", "roi_request"],
        ["lines"],
        ["lines", "vlines", "hlines", "rectangles"],
        ["lines", "vlines", "vlines"],
    ],
)
def test_declared_compositions_pass(layers):
    assert [k.value for k in check_layers(layers)] == layers


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ([], "a cell needs at least one layer"),
        (["roi_request"], "roi_request cannot be a cell's first layer"),
        (["vlines", "lines"], "vlines cannot be a cell's first layer"),
        (
            ["image", "vlines"],
            "vlines cannot stack on image; on image may stack: roi_readback,"
            " roi_request",
        ),
        (
            ["lines", "roi_readback"],
            "roi_readback cannot stack on lines; on lines may stack: vlines,"
            " hlines, rectangles",
        ),
        (["image", "roi_request"], "roi_request needs a roi_readback layer below it"),
        (["image", "roi_readback", "roi_readback"], "roi_readback appears twice"),
        (["image", "lines"], "lines cannot stack on image"),
        (["image", "circle"], "unknown layer kind 'circle'"),
    ],
)
def test_invalid_compositions_are_refused_with_a_clear_message(layers, message):
    with pytest.raises(OverlayError, match=message) as info:
        check_layers(layers)
    assert "\n" not in str(info.value)


def test_one_registry_names_every_base_and_what_stacks_on_it():
    assert set(OVERLAY_PATTERNS) == {LayerKind.IMAGE, LayerKind.LINES}
    assert allowed_overlays("image") == (
        LayerKind.ROI_READBACK,
        LayerKind.ROI_REQUEST,
    )
    assert allowed_overlays("vlines") == ()


def test_static_layers_take_their_positions_from_params_only():
    lines = static_params("vlines", {"positions": [1.5, 2.5], "label": "Bragg"})
    assert isinstance(lines, StaticLines) and lines.positions == (1.5, 2.5)
    rects = static_params(
        "rectangles", {"rectangles": [{"x0": 0, "x1": 1, "y0": 0, "y1": 2}]}
    )
    assert rects.rectangles[0].y1 == 2.0


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("vlines", {"positions": []}, "vlines params: positions"),
        ("hlines", {"positions": [float("inf")]}, "finite"),
        ("vlines", {"positions": [1], "source": "x"}, "source"),
        (
            "rectangles",
            {"rectangles": [{"x0": 1, "x1": 0, "y0": 0, "y1": 1}]},
            "x0 < x1",
        ),
        ("image", {}, "image is not a static layer"),
    ],
)
def test_bad_static_params_are_refused(kind, params, message):
    with pytest.raises(OverlayError, match=message):
        static_params(kind, params)
