"""Regions of interest drawn with the mouse on a live image (D12), end to end:
the request on the ROI topic, the service's readback drawn over it, and the ROI
spectrum in the linked cell counting exactly the events inside the shape.

A real broker, ``detector_data`` and ``timeseries`` services, and a known
event pattern (``system.py``); the dummy overview's image cell carries the ROI
layers, its ROI spectra cell shows the latest window's spectra."""

from __future__ import annotations

import time

import pytest

from livedata.control.roi import roi_colour
from livedata.plots.roi_tools import BOX_TOOL, POLY_TOOL

from .conftest import shot
from .page_tools import drag, line_colour, press, source, tap, to_screen, wait_source
from .system import (
    PER_FRAME,
    roi_requests,
    weight_in_rectangle,
    weight_in_triangle,
)
from .test_plots_browser import wait_frames

pytestmark = pytest.mark.slow

IMAGE = "cell0-layer0"
READBACK = "cell0-layer1"
SPECTRA = "cell1-layer0"


def open_overview(browser, url: str):
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector(".cell-0", timeout=60_000)
    wait_frames(page, 0, name=IMAGE)
    return page


def requests_of(bootstrap: str, job: str, shape: str) -> list:
    source_name, number = job.split("/")
    name = f"{source_name}/{number}/{shape}"
    return [r for r in roi_requests(bootstrap) if r.stream.name == name]


def exact_window(page, system, label: str, after_ms: float, timeout: float = 40.0):
    """(ROI counts drawn in the page, frames in that window) for a window that
    ended 2 s after ``after_ms`` (the ROI then covered the whole window)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        columns = source(page, label)
        if columns and columns["t"] and columns["t"][0] > after_ms + 2000:
            end_ms = columns["t"][0]
            total = system.counts_total_at(end_ms)
            frames, rest = divmod(total, PER_FRAME)
            assert rest == 0 and frames > 0, total
            return sum(columns["y"]), frames
        page.wait_for_timeout(250)
    raise AssertionError(f"no window of {label} after the ROI was confirmed")


def test_a_rectangle_dragged_on_the_image_is_sent_confirmed_and_counted_exactly(
    browser, event_system, event_plots
):
    url, _ = event_plots()
    page = open_overview(browser, url)
    job = event_system.panel_job
    before = len(requests_of(event_system.bootstrap, job, "roi_rectangle"))
    tool_button = page.locator(f"[title^='{BOX_TOOL[:14]}']").first
    tool_button.click()
    start, end = to_screen(page, IMAGE, [(-0.2, -0.25), (0.15, 0.2)])
    drag(page, start, end, shift=True)
    shot(page.locator(".cell-0"), "roi-rectangle-drawn")  # dashed: the request

    # The request on the topic: one rectangle, in the view's unit, index 0.
    deadline = time.monotonic() + 20
    sent = []
    while len(sent) <= before and time.monotonic() < deadline:
        sent = requests_of(event_system.bootstrap, job, "roi_rectangle")
    assert len(sent) == before + 1
    rect = sent[-1].value
    assert rect.dims == ("bounds",) and str(rect.coords["x"].unit) == "m"
    assert rect.coords["roi_index"].values.tolist() == [0, 0]
    x0, x1 = sorted(rect.coords["x"].values.tolist())
    y0, y1 = sorted(rect.coords["y"].values.tolist())
    pixel = 1 / 128  # the mouse lands within a screen pixel of the aim
    assert x0 == pytest.approx(-0.2, abs=pixel) and x1 == pytest.approx(0.15, abs=pixel)
    assert y0 == pytest.approx(-0.25, abs=pixel) and y1 == pytest.approx(0.2, abs=pixel)

    # The readback: drawn solid over the dashed request once the service has it.
    readback = wait_source(
        page, "roi-readback-rectangles", lambda c: len(c["left"]) == 1
    )
    assert readback["left"][0] == pytest.approx(x0)
    assert readback["color"] == [roi_colour(0)]
    page.wait_for_selector("text=1 ROI: confirmed by the service", timeout=20_000)
    confirmed_ms = page.evaluate("Date.now()")
    shot(page, "roi-rectangle-confirmed")

    # The linked ROI spectrum, in the shape's colour, counts exactly.
    label = "panel_0 roi 0"
    counted, frames = exact_window(page, event_system, label, confirmed_ms)
    assert counted == frames * weight_in_rectangle(x0, x1, y0, y1)
    assert 0 < weight_in_rectangle(x0, x1, y0, y1) < PER_FRAME
    assert line_colour(page, label) == roi_colour(0)
    shot(page.locator(".cell-1"), "roi-spectrum")

    # Moved with the mouse: one update, sent after the release.
    moved_from = len(requests_of(event_system.bootstrap, job, "roi_rectangle"))
    polygons = len(requests_of(event_system.bootstrap, job, "roi_polygon"))
    centre, target = to_screen(page, IMAGE, [(-0.025, -0.025), (0.1, 0.05)])
    released_ms = drag(page, centre, target, steps=25)
    # Until the service echoes it: the dashed request beside the solid readback.
    shot(page.locator(".cell-0"), "roi-rectangle-pending")
    wait_source(
        page,
        "roi-readback-rectangles",
        lambda c: c["left"] and abs(c["left"][0] - (x0 + 0.125)) < 2 * pixel,
    )
    after = requests_of(event_system.bootstrap, job, "roi_rectangle")
    assert len(after) == moved_from + 1, [r.value.coords["x"].values for r in after]
    assert after[-1].timestamp.ns / 1e6 >= released_ms - 50
    moved_x = sorted(after[-1].value.coords["x"].values.tolist())
    assert moved_x[0] == pytest.approx(x0 + 0.125, abs=2 * pixel)
    assert len(requests_of(event_system.bootstrap, job, "roi_polygon")) == polygons
    shot(page, "roi-rectangle-moved")


def test_a_polygon_drawn_with_the_mouse_is_sent_confirmed_and_counted_exactly(
    browser, event_system, event_plots
):
    url, _ = event_plots()
    page = open_overview(browser, url)
    job = event_system.panel_job
    before = len(requests_of(event_system.bootstrap, job, "roi_polygon"))
    page.locator(f"[title^='{POLY_TOOL[:12]}']").first.click()
    aims = [(-0.4, -0.4), (0.3, -0.35), (-0.35, 0.3)]
    p1, p2, p3 = to_screen(page, IMAGE, aims)
    press(page, p1)  # starts the polygon
    tap(page, p2)
    press(page, p3)  # the last vertex, and done

    deadline = time.monotonic() + 20
    sent = []
    while len(sent) <= before and time.monotonic() < deadline:
        sent = requests_of(event_system.bootstrap, job, "roi_polygon")
    assert len(sent) == before + 1, "one polygon request, once finished"
    poly = sent[-1].value
    assert poly.dims == ("vertex",)
    assert poly.coords["roi_index"].values.tolist() == [4, 4, 4]
    xs, ys = poly.coords["x"].values.tolist(), poly.coords["y"].values.tolist()
    for (x, y), (ax, ay) in zip(zip(xs, ys, strict=True), aims, strict=True):
        assert x == pytest.approx(ax, abs=1 / 128) and y == pytest.approx(
            ay, abs=1 / 128
        )

    readback = wait_source(page, "roi-readback-polygons", lambda c: len(c["xs"]) == 1)
    assert readback["color"] == [roi_colour(4)]
    page.wait_for_selector("text=confirmed by the service", timeout=20_000)
    confirmed_ms = page.evaluate("Date.now()")
    label = "panel_0 roi 4"
    counted, frames = exact_window(page, event_system, label, confirmed_ms)
    expected = weight_in_triangle(xs, ys)
    assert 0 < expected < PER_FRAME
    assert counted == frames * expected
    assert line_colour(page, label) == roi_colour(4)
    shot(page, "roi-polygon-confirmed")
