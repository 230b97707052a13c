"""Publish-to-paint latency of the plot server, measured in a real page.

Runs ``benchmarks/plots_load.py`` for one session (embedded broker, da00 results
stamped when published, ``livedata plots`` as a child process, Debian's
Chromium): the 12-cell grid at 1 Hz must be drawn within a bound that holds on
a loaded 2-core host, and the report must split the time into its stages.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_plots_browser import wait_frames

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "plots_load.py"
SECONDS = 20
# Not the benchmark's goal (300 ms median, 4 sessions, an idle host), but a
# bound a regression to polling every stage (about 0.75 s median before) or to
# re-rendering whole plots would break, with room for a busy CI host.
MEDIAN_BOUND_MS = 1000.0

pytestmark = pytest.mark.slow


def test_one_session_paints_published_frames_within_a_second_median():
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--seconds",
            str(SECONDS),
            "--sessions",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    (drawn,) = report["frames_drawn_per_session"]
    # 12 cells at 1 Hz (3 ROI curves count thrice): at least a quarter of it.
    assert drawn >= 12 * SECONDS // 4, report
    assert report["latency_ms_median"] < MEDIAN_BOUND_MS, report
    # Every frame of the run was stamped at its paint, and every one painted.
    assert report["frames_not_paint_probed"] == 0, report
    assert report["frames_never_painted"] == 0, report
    stages = report["stages_ms"]
    assert list(stages) == [
        "published",
        "received",
        "computed",
        "rendered",
        "batched",
        "browser_applied",
        "browser_drawn",
    ]
    assert all(figures["count"] > 0 for figures in stages.values()), stages
    # A frame reaches the server before it is drawn, and is drawn in the page
    # after the server has handed it over.
    assert stages["received"]["median"] <= stages["rendered"]["median"], stages
    assert stages["batched"]["median"] <= stages["browser_drawn"]["median"], stages
    assert report["latency_ms_median"] == stages["browser_drawn"]["median"]


# Every plot paint, outermost: when it started and ended (the probe records a
# frame's ``drawn`` inside, after BokehJS has painted the canvas).
RECORD_PAINTS = """() => {
  window.paints = [];
  const plot = Bokeh.require("models/plots/plot_canvas").PlotView.prototype;
  const paint = plot._actual_paint;
  plot._actual_paint = function (...args) {
    const start = Date.now();
    const result = paint.apply(this, args);
    window.paints.push([start, Date.now()]);
    return result;
  };
}"""


def test_a_frame_counts_as_drawn_once_its_plot_has_painted_it(browser, demo_system):
    page = browser.new_page()
    page.goto(demo_system[1])
    seen = wait_frames(page, 0)
    assert page.evaluate("window.livedataPaintProbe") is True, "BokehJS changed"
    assert page.evaluate("window.livedataProbes") == {"paint": True}
    page.evaluate(RECORD_PAINTS)
    page.evaluate("window.livedataFrames = []")
    wait_frames(page, 3)
    frames = page.evaluate("window.livedataFrames")
    paints = page.evaluate("window.paints")
    assert len(frames) > 3 and seen > 0, frames
    for frame in frames:
        # Painted after the data arrived, and stamped inside that paint (an
        # animation frame asked for on arrival would run before BokehJS paints).
        assert any(
            frame["applied"] <= start <= frame["drawn"] <= end for start, end in paints
        ), (frame, paints[-20:])
        assert frame["probe"] == "paint", frame
    page.close()


# 1000 frames of a source no plot shows: they can never be painted.
GHOSTS = """() => {
  const ghost = {};
  for (let i = 0; i < 1000; i++) {
    window.livedataWaiting.push({source: ghost, record: () => {}});
  }
}"""


def test_frames_that_never_paint_are_dropped_and_counted(browser, demo_system):
    page = browser.new_page()
    page.goto(demo_system[1])
    seen = wait_frames(page, 0)
    assert page.evaluate("window.livedataUnpainted") == 0
    page.evaluate(GHOSTS)
    wait_frames(page, seen + 2)  # new frames queue behind the ghosts
    # The oldest ghosts made room for them, counted; the real frames painted.
    assert page.evaluate("window.livedataUnpainted") >= 1
    assert page.evaluate("window.livedataWaiting.length") <= 1000
    page.close()
