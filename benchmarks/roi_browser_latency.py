"""From the end of a drag to the service's readback drawn in the browser (issue 16).

Runs the embedded broker, ``livedata service run detector_data --dev``,
``livedata fake detectors`` and ``livedata plots`` as real processes, starts
dummy/panel_0_xy/2 (the job the dummy overview's image cell draws) and opens
the page in headless Chromium (Debian's package). With the page's box tool it
draws one rectangle, then, ``--repeats`` times after a random 0-1 s pause,
drags it with the mouse to a random place and clocks, on the page's clock:

- from the release of the mouse button (a ``pointerup`` listener) to the
  animation frame after the readback overlay's data source changed to the new
  place (the page's latency probe, ``window.livedataFrames``).

That path is the whole of it: the box tool syncs the edit to the server, the
ROI tools publish it (``RoiPublisher`` through the sender thread), the
service applies it in its next batch window and echoes it with its results,
the plot server's updater computes the readback and the session draws it.
The bar is one batch window (1 s) plus 300 ms.

    python benchmarks/roi_browser_latency.py [--repeats 20] [--rate 20000] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roi_latency import BAR_S, BATCH_WINDOW_S, spawn, summary

from livedata.control.plane import connect
from livedata.control.plots_process import PlotsProcess
from livedata.control.quick import wait_for_services
from livedata.control.snapshots import CommandOutcome
from livedata.instruments import get_instrument
from livedata.kafka.broker import EmbeddedBroker
from livedata.plots.roi_tools import BOX_TOOL
from livedata.services.topics import create_instrument_topics

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
IMAGE, READBACK = "cell0-layer0", "cell0-layer1"
HALF = 0.1  # the rectangle is 0.2 m square

TO_SCREEN = """
([tag, points]) => {
  const view = Bokeh.index.query_one(
    v => v.model && v.model.tags && v.model.tags.includes(tag) && v.frame);
  const rect = view.canvas_view.el.getBoundingClientRect();
  return points.map(([x, y]) => [
    rect.left + view.frame.x_scale.compute(x),
    rect.top + view.frame.y_scale.compute(y)]);
}
"""
READBACK_LEFT = """
() => {
  for (const doc of Bokeh.documents)
    for (const m of doc._all_models.values())
      if (m.type === 'ColumnDataSource' && m.tags.includes('roi-readback-rectangles')) {
        const left = m.data instanceof Map ? m.data.get('left') : m.data.left;
        return left.length ? Number(left[0]) : null;
      }
  return null;
}
"""
DRAWN_AFTER = """
([name, after]) => (window.livedataFrames || [])
  .filter(f => f.name === name && f.drawn > after).map(f => f.drawn)
"""


def wait(page, check, timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        page.wait_for_timeout(10)
    return None


def start_job(bootstrap: str) -> None:
    with connect("dummy", bootstrap, with_data=False, persist=False) as plane:
        row = plane.start_job("dummy/panel_0_xy/2", ["panel_0"])
        row = plane.wait(row.message_id, 30)
        if row.outcome is not CommandOutcome.ACK:
            raise SystemExit(f"job not started: {row.outcome}")


def drag(page, start, end) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=10)
    page.mouse.up()


def measure(url: str, repeats: int, timeout: float = 10.0) -> dict:
    from playwright.sync_api import sync_playwright

    latencies, misses = [], 0
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_function(
                f"(window.livedataFrames || []).some(f => f.name === '{IMAGE}')",
                timeout=90_000,
            )
            page.evaluate(
                "window.addEventListener('pointerup',"
                " () => { window.lastUp = Date.now(); }, true)"
            )
            page.locator(f"[title^='{BOX_TOOL[:14]}']").first.click()
            centre = (0.0, 0.0)
            a, b = page.evaluate(TO_SCREEN, [IMAGE, [[-HALF, -HALF], [HALF, HALF]]])
            page.keyboard.down("Shift")
            drag(page, a, b)
            page.keyboard.up("Shift")
            if wait(page, lambda: page.evaluate(READBACK_LEFT) is not None, 20) is None:
                raise SystemExit("the first rectangle was never confirmed")
            for _ in range(repeats):
                page.wait_for_timeout(random.uniform(0.0, BATCH_WINDOW_S) * 1000)
                target = (random.uniform(-0.3, 0.3), random.uniform(-0.3, 0.3))
                start, end = page.evaluate(TO_SCREEN, [IMAGE, [centre, target]])
                drag(page, start, end)
                released = page.evaluate("window.lastUp")
                left = target[0] - HALF

                def moved(left=left, released=released):
                    now = page.evaluate(READBACK_LEFT)
                    if now is None or abs(now - left) > 0.02:
                        return None
                    return page.evaluate(DRAWN_AFTER, [READBACK, released])

                drawn = wait(page, moved, timeout)
                if not drawn:
                    misses += 1
                    continue
                latencies.append((min(drawn) - released) / 1000)
                centre = target
        finally:
            browser.close()
    return {"drag_to_readback_s": latencies, "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20000.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    random.seed(16)
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as state:
        bootstrap = broker.bootstrap
        report = create_instrument_topics(get_instrument("dummy"), bootstrap)
        assert report.ok, report
        service = spawn(
            *("service", "run", "detector_data", "--instrument", "dummy", "--dev"),
            *("--bootstrap", bootstrap),
        )
        fake = spawn(
            *("fake", "detectors", "--instrument", "dummy", "--rate", str(args.rate)),
            *("--bootstrap", bootstrap),
        )
        plots = PlotsProcess("dummy", bootstrap, extra_args=["--state-dir", state])
        try:
            missing = wait_for_services(
                "dummy", bootstrap, ["detector_data"], timeout=60
            )
            if missing:
                raise SystemExit(f"no heartbeat from {missing}")
            start_job(bootstrap)
            result = measure(plots.start(), args.repeats)
        finally:
            plots.stop()
            for proc in (fake, service):
                proc.terminate()
                proc.wait(20)
    out = {
        "bar_s": BAR_S,
        "drag_to_readback_drawn": summary(result["drag_to_readback_s"]),
        "misses": result["misses"],
    }
    if args.json:
        print(json.dumps(out))
        return
    print(
        f"bar: median <= {BAR_S:.2f} s (one {BATCH_WINDOW_S:g} s batch window + 0.3 s)"
    )
    s = out["drag_to_readback_drawn"]
    if s["n"]:
        print(
            f"drag end -> readback drawn n={s['n']:3d} median {s['median']:.3f} s"
            f"  p90 {s['p90']:.3f} s  min {s['min']:.3f} s  max {s['max']:.3f} s"
        )
    print(f"drags without a readback in 10 s: {out['misses']}")


if __name__ == "__main__":
    main()
