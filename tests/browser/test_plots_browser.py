"""The plot server in a real browser, on a real system (embedded broker,
services, fakes): live images, log colour, independent tabs, session expiry,
access control."""

from __future__ import annotations

import json
import os
import stat
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from .conftest import shot

pytestmark = pytest.mark.slow

IMAGE_CELL = ".cell-0"  # dummy_overview: panel_0 since start, log colour


def frames(page, name: str = "cell0-layer0") -> int:
    return page.evaluate(
        f"(window.livedataFrames || []).filter(f => f.name === {name!r}).length"
    )


def wait_frames(
    page, more_than: int, timeout: float = 60.0, name: str = "cell0-layer0"
) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = frames(page, name)
        if n > more_than:
            return n
        page.wait_for_timeout(200)
    raise AssertionError(
        f"no new frame of {name} within {timeout} s (have {more_than})"
    )


def pixels(png_path) -> np.ndarray:
    return np.asarray(Image.open(png_path).convert("RGB"), dtype=float)


def log_mappers(page) -> int:
    """How many log colour mappers the page's Bokeh document holds."""
    return page.evaluate(
        """() => { let n = 0;
          for (const doc of window.Bokeh.documents)
            for (const m of doc._all_models.values())
              if (m.type === 'LogColorMapper') n++;
          return n; }"""
    )


def open_page(browser, url: str):
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector(IMAGE_CELL, timeout=60_000)
    return page


def switch_to_linear(page) -> None:
    page.locator(f"{IMAGE_CELL} .settings button").click()
    page.locator(f"{IMAGE_CELL} .param-color_scale select").select_option("linear")
    page.locator(f"{IMAGE_CELL} .apply button").click()


def sessions(url: str) -> dict:
    parts = urlsplit(url)
    with urllib.request.urlopen(
        f"http://{parts.netloc}/livedata/sessions", timeout=5
    ) as r:
        return json.load(r)


# panel_0 since start in linear colour (the fakes repeat their events, so the
# latest window looks the same every second; the sum since start grows).
CUMULATIVE = "?workflow=dummy/panel_0_xy/2&output=cumulative&source=panel_0"


def test_the_page_shows_a_live_image_whose_pixels_change(browser, demo_system):
    page = open_page(browser, demo_system[1] + CUMULATIVE)
    n = wait_frames(page, 0)
    first = pixels(shot(page.locator(IMAGE_CELL), "image-frame-1"))
    changed, deadline = 0, time.monotonic() + 60
    while changed <= 200 and time.monotonic() < deadline:
        n = wait_frames(page, n)
        page.wait_for_timeout(300)
        later = pixels(shot(page.locator(IMAGE_CELL), "image-frame-2"))
        changed = (np.abs(first - later).sum(axis=2) > 6).sum()
    assert changed > 200, f"only {changed} pixels changed in 60 s of frames"
    latencies = page.evaluate(
        "(window.livedataFrames || []).filter(f => isFinite(f.t)).map(f => f.drawn - f.t)"
    )
    assert latencies, "frames carry their data time"


def test_every_cell_of_the_default_template_draws(browser, demo_system):
    page = open_page(browser, demo_system[1])
    for cell in range(6):  # image, ROI spectra, spectrum, monitors, motion, counts
        if cell == 1:
            continue  # ROI spectra: none until an ROI is drawn (next issue)
        wait_frames(page, 0, name=f"cell{cell}-layer0")
    shot(page, "dummy-overview")


def test_switching_to_linear_colour_changes_the_image(browser, plots_server):
    url, _ = plots_server()  # its own grid store: edits stay in this test
    page = open_page(browser, url)
    wait_frames(page, 1)
    assert log_mappers(page) == 1
    before = pixels(shot(page.locator(IMAGE_CELL), "colour-log"))
    switch_to_linear(page)
    page.wait_for_function(
        """() => { for (const doc of window.Bokeh.documents)
              for (const m of doc._all_models.values())
                if (m.type === 'LogColorMapper') return false;
            return true; }""",
        timeout=30_000,
    )
    page.wait_for_timeout(1500)
    after = pixels(shot(page.locator(IMAGE_CELL), "colour-linear"))
    # Linear colour on a ring over a noisy background: most pixels darken.
    assert after.mean() < before.mean() - 5, (before.mean(), after.mean())


def test_two_tabs_are_independent_sessions(browser, plots_server):
    url, _ = plots_server()
    a = open_page(browser, url)
    b = open_page(browser, url)
    wait_frames(a, 0)
    wait_frames(b, 0)
    assert len(sessions(url)["sessions"]) == 2
    switch_to_linear(a)
    a.wait_for_function(
        """() => { for (const doc of window.Bokeh.documents)
              for (const m of doc._all_models.values())
                if (m.type === 'LogColorMapper') return false;
            return true; }""",
        timeout=30_000,
    )
    assert log_mappers(b) == 1  # the other tab keeps its own layout
    nb = frames(b)
    wait_frames(b, nb)  # and keeps updating
    na = frames(a)
    wait_frames(a, na)
    shot(a, "tab-a-linear")
    shot(b, "tab-b-log")


def test_a_closed_tab_is_forgotten_after_the_session_timeout(browser, plots_server):
    url, _ = plots_server("--session-timeout", "3")
    page = open_page(browser, url)
    wait_frames(page, 0)
    ids = sessions(url)["sessions"]
    assert len(ids) == 1
    page.close()
    deadline = time.monotonic() + 30
    while sessions(url)["sessions"] and time.monotonic() < deadline:
        time.sleep(0.5)
    state = sessions(url)
    assert state["sessions"] == []
    assert state["feeds"] == 0  # its feeds were released


def test_bound_beyond_loopback_it_needs_the_token(browser, plots_server, tmp_path):
    url, _ = plots_server("--bind", "0.0.0.0", "--token")
    parts = urlsplit(url)
    port = parts.port
    local = f"http://127.0.0.1:{port}"
    for path in ("/", "/livedata/sessions", "/static/js/bokeh.min.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(local + path, timeout=5)
        assert refused.value.code == 403, path
    token = parts.query.removeprefix("token=")
    token_file = tmp_path / "state" / "plots" / "token"
    assert token_file.read_text().strip() == token
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    page = open_page(browser, f"{local}/?{parts.query}")
    assert "token" not in page.url  # the cookie carries it from here on
    wait_frames(page, 0)
    shot(page, "token-page")
    log = (tmp_path / "plots-0.log").read_text()
    assert token not in log


# The area detector (256 x 256) since start.
AREA = "?workflow=dummy/area_panel_xy/2&output=cumulative&source=area_panel"

# The image's array as the page holds it and the plot's size in pixels.
_DRAWN = """
() => {
  const view = Bokeh.index.query_one(
    v => v.model && v.model.tags && v.model.tags.includes('cell0-layer0') && v.frame);
  for (const doc of Bokeh.documents)
    for (const m of doc._all_models.values())
      if (m.type === 'ColumnDataSource' && m.tags.includes('cell0-layer0'))
        return {shape: (m.data instanceof Map ? m.data.get('image') : m.data.image)[0].shape,
                width: view.frame.bbox.width, height: view.frame.bbox.height};
  return null;
}
"""


def test_an_image_is_sent_at_the_resolution_its_plot_can_show(browser, demo_system):
    page = browser.new_page()
    page.set_viewport_size({"width": 700, "height": 300})
    page.goto(demo_system[1] + AREA)
    page.wait_for_selector(IMAGE_CELL, timeout=60_000)
    n = wait_frames(page, 1)
    drawn = page.evaluate(_DRAWN)
    rows, cols = drawn["shape"]
    # Averaged down to the plot's pixels, never coarser than them.
    assert drawn["height"] < 128, drawn  # the test needs a short plot
    assert rows < 256 and rows >= drawn["height"], drawn
    assert cols >= min(256, drawn["width"]), drawn
    shot(page, "image-fitted-to-plot")
    # Zoomed into a quarter of each side, every bin in view gets its pixel.
    page.evaluate(
        """() => { const view = Bokeh.index.query_one(
             v => v.model && v.model.tags && v.model.tags.includes('cell0-layer0')
                  && v.frame);
           const x = view.model.x_range, y = view.model.y_range;
           const dx = (x.end - x.start) / 4, dy = (y.end - y.start) / 4;
           x.setv({start: x.start + dx, end: x.start + 2 * dx});
           y.setv({start: y.start + dy, end: y.start + 2 * dy}); }"""
    )
    page.wait_for_function(
        f"(({_DRAWN})() || {{shape: [0]}}).shape[0] > {rows}", timeout=30_000
    )
    assert wait_frames(page, n) > n  # and new frames keep coming
    zoomed = page.evaluate(_DRAWN)
    assert zoomed["shape"][0] == 256, zoomed
    shot(page, "image-zoomed")
