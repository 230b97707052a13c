"""Plot server load: 4 browser sessions on a 12-cell grid at 1 Hz.

An embedded broker; a publisher that serialises da00 results as the services
would, once a second: 4 images of 512x512 and the spectra of 8 line plots, each
frame stamped with the wall time it is published (its ``time`` coordinate);
``livedata plots`` as a child process with a 12-cell grid (4 images, 8 line
plots) saved in its grid store; 4 sessions, each a window of 1600x1200 in
headless Chromium (Debian's package), which no driver instruments while the
load runs (``chromium_windows.py`` says why). Measured:

- server CPU, % of one core (utime + stime of the child over the run);
- publish-to-paint latency, measured in the page: the frame's data time to the
  end of the paint of the plot that shows it (``window.livedataFrames``, see
  ``livedata.plots.paint_probe``), median and 90th percentile over every
  frame of every session; the benchmark refuses to run if BokehJS changed so
  that the probe cannot hook the paint, and reports frames stamped otherwise
  (before the hook was in) and frames whose plot never painted them;
- server memory (RSS) per minute, first and last minute compared.

    python benchmarks/plots_load.py [--seconds 600] [--sessions 4] [--json]

The goals: CPU <= 50 % of a core, median latency <= 300 ms, memory flat.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chromium_windows import ChromiumWindows  # noqa: E402 - beside this script

from livedata.plots.latency import spread  # noqa: E402 - after the path

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
IMAGES = [
    ("dummy/panel_0_xy/2", "cumulative", "panel_0"),
    ("dummy/panel_0_xy/2", "current", "panel_0"),
    ("dummy/area_panel_xy/2", "cumulative", "area_panel"),
    ("dummy/area_panel_xy/2", "current", "area_panel"),
]
LINES = [
    ("dummy/monitor_histogram/2", "current", "monitor1"),
    ("dummy/monitor_histogram/2", "current", "monitor2"),
    ("dummy/monitor_histogram/2", "cumulative", "monitor1"),
    ("dummy/monitor_histogram/2", "cumulative", "monitor2"),
    ("dummy/panel_0_xy/2", "spectrum_current", "panel_0"),
    ("dummy/panel_0_logical/1", "spectrum_current", "panel_0"),
    ("dummy/panel_0_logical/1", "roi_spectra_current", "panel_0"),
    ("dummy/panel_0_xy/2", "roi_spectra_current", "panel_0"),
]


def grid_doc() -> dict:
    cells = []
    for i, (wid, output, source) in enumerate(IMAGES):
        cells.append(_cell(i // 2, i % 2, wid, output, source, "image"))
    for i, (wid, output, source) in enumerate(LINES):
        cells.append(_cell(2 + i // 4, i % 4, wid, output, source, "lines"))
    # Images take columns 0-1 of rows 0-1 ... laid out on a 4x4 grid.
    for i, cell in enumerate(cells[:4]):
        cell["row"], cell["col"] = i // 2, 2 * (i % 2)
        cell["col_span"] = 2
    grid = {
        "name": "bench12",
        "title": "Benchmark",
        "nrows": 4,
        "ncols": 4,
        "cells": cells,
    }
    return {
        "format": 1,
        "instrument": "dummy",
        "selected": "bench12",
        "grids": {"bench12": grid},
    }


def _cell(row, col, wid, output, source, plotter):
    return {
        "row": row,
        "col": col,
        "title": f"{output} {source}",
        "layers": [
            {
                "workflow_id": wid,
                "output": output,
                "source_names": [source],
                "plotter": plotter,
            }
        ],
    }


class Publisher(threading.Thread):
    """da00 results at ``rate`` Hz, each stamped with its publish time."""

    def __init__(self, bootstrap: str, rate: float) -> None:
        super().__init__(name="publisher", daemon=True)
        import numpy as np
        import scipp as sc
        from confluent_kafka import Producer

        from livedata.core.identifiers import JobId, WorkflowId
        from livedata.kafka.serialisers import Serialiser

        self.np, self.sc = np, sc
        from livedata.kafka.sink import PRODUCER_DEFAULTS

        self.producer = Producer(
            {**PRODUCER_DEFAULTS, "bootstrap.servers": bootstrap, "linger.ms": 0}
        )
        self.serialise = Serialiser("dummy")
        self.rate = rate
        self.stop = threading.Event()
        self.jobs = {}
        for wid, _, source in IMAGES + LINES:
            self.jobs[(wid, source)] = (
                WorkflowId.parse_str(wid),
                JobId(source_name=source),
            )
        self.frames = 0
        self.flushed_ms: list[float] = []  # data time to delivered, per frame
        self.rng = np.random.default_rng(0)

    def _image(self):
        sc = self.sc
        values = self.rng.poisson(100, size=(512, 512)).astype(float)
        return sc.DataArray(
            sc.array(dims=["y", "x"], values=values, unit="counts"),
            coords={
                "x": sc.linspace("x", -0.5, 0.5, 513, unit="m"),
                "y": sc.linspace("y", -0.5, 0.5, 513, unit="m"),
            },
        )

    def _spectrum(self, roi: bool):
        sc = self.sc
        shape = (3, 100) if roi else (100,)
        dims = ["roi", "time_of_arrival"] if roi else ["time_of_arrival"]
        values = self.rng.poisson(1000, size=shape).astype(float)
        return sc.DataArray(
            sc.array(dims=dims, values=values, unit="counts"),
            coords={
                "time_of_arrival": sc.linspace("time_of_arrival", 0, 71, 101, unit="ms")
            },
        )

    def run(self) -> None:
        from livedata.core.job import JobResult
        from livedata.core.result import unroll
        from livedata.core.timestamp import Timestamp

        period = 1.0 / self.rate
        next_at = time.monotonic()
        while not self.stop.is_set():
            outputs: dict = {}
            for wid, output, source in IMAGES:
                outputs.setdefault((wid, source), {})[output] = self._image()
            for wid, output, source in LINES:
                outputs.setdefault((wid, source), {})[output] = self._spectrum(
                    "roi" in output
                )
            stamps = []
            for (wid, source), named in outputs.items():
                workflow, job = self.jobs[(wid, source)]
                now = time.time_ns()
                stamps.append(now / 1e6)
                result = JobResult(
                    job_id=job,
                    workflow_id=workflow,
                    start_time=Timestamp(now - 1_000_000_000),
                    end_time=Timestamp(now),
                    outputs=named,
                )
                for message in unroll(result):
                    record = self.serialise(message)
                    self.producer.produce(record.topic, record.value, record.key)
            self.producer.flush(5)
            done = time.time() * 1000
            self.flushed_ms.extend(done - t for t in stamps)
            self.frames += 1
            next_at += period
            self.stop.wait(max(0.0, next_at - time.monotonic()))


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    # A TERM (a timeout, a stopped CI job) unwinds like Ctrl-C: the plot
    # server, the broker and Chromium are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from livedata.cli.lifeline import PARENT_PID_ENV
    from livedata.instruments import get_instrument
    from livedata.kafka.broker import EmbeddedBroker
    from livedata.services.topics import create_instrument_topics

    work = Path(tempfile.mkdtemp(prefix="plots-bench-"))
    (work / "plots").mkdir()
    (work / "plots" / "dummy.json").write_text(json.dumps(grid_doc()))
    with EmbeddedBroker(None) as broker:
        create_instrument_topics(get_instrument("dummy"), broker.bootstrap)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "livedata",
                "plots",
                "--instrument",
                "dummy",
                "--bootstrap",
                broker.bootstrap,
                "--state-dir",
                str(work),
            ],
            stdout=subprocess.PIPE,
            stderr=open(work / "plots.log", "wb"),  # noqa: SIM115 - the child owns it
            # Stops when the benchmark dies, however it dies.
            env={**os.environ, PARENT_PID_ENV: str(os.getpid())},
        )
        url = ""
        while not url:
            line = server.stdout.readline().decode()
            if not line:
                raise SystemExit(
                    f"plot server failed: {(work / 'plots.log').read_text()[-500:]}"
                )
            if line.startswith("plots "):
                url = line.split()[-1]
        publisher = Publisher(broker.bootstrap, args.rate)
        publisher.start()
        try:
            report = measure(args, url, server, publisher, sync_playwright)
        finally:
            publisher.stop.set()
            server.send_signal(signal.SIGINT)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:28} {value}")
    return 0


def measure(args, url, server, publisher, sync_playwright) -> dict:
    status_url = url.rstrip("/") + "/livedata/sessions"

    def status(window: float | None = None) -> dict:
        query = "" if window is None else f"?window={window}"
        with urllib.request.urlopen(status_url + query, timeout=10) as answer:
            return json.load(answer)

    def wait_opened(n: int) -> None:
        deadline = time.monotonic() + 180
        while len(status()["sessions"]) < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"the server has not {n} sessions after 180 s")
            time.sleep(0.5)

    with ChromiumWindows(1600, 1200) as windows:
        # Connected only to open the windows and, at the end, to read them:
        # while the load runs nothing but the pages uses the browser.
        with sync_playwright() as driver:
            windows.open(driver, url, args.sessions, wait_opened)
        time.sleep(20)  # the last page loads and draws
        start_ms = time.time() * 1000  # frames published from now on count
        del publisher.flushed_ms[:]
        cpu0, t0 = cpu_s(server.pid), time.monotonic()
        rss: list[float] = []
        while time.monotonic() - t0 < args.seconds:
            time.sleep(min(10.0, args.seconds))
            rss.append(rss_mb(server.pid))
        cpu = (cpu_s(server.pid) - cpu0) / (time.monotonic() - t0)
        served = status(args.seconds)
        # Quiet pages before a driver attaches again: attached, it is sent every
        # websocket frame, and after minutes of load it could not keep up.
        publisher.stop.set()
        publisher.join(10)
        time.sleep(3)
        frames, per_page, unprobed, unpainted, viewports = [], [], 0, 0, []
        covered_from_s = 0.0
        with sync_playwright() as driver:
            for page in windows.pages(windows.connect(driver), url):
                if page.evaluate("window.livedataPaintProbe") is not True:
                    raise SystemExit(
                        "the page cannot hook BokehJS's paint (window."
                        "livedataPaintProbe is not true): latency would leave"
                        " the painting out"
                    )
                got = page.evaluate(
                    f"window.livedataFrames.filter(f => f.t >= {start_ms})"
                    ".map(f => [f.name, f.applied - f.t, f.drawn - f.t, f.probe])"
                )
                per_page.append(len(got))
                # The page keeps its last 20 000 frames: do they reach back to the start?
                first_t = page.evaluate(
                    f"Math.min(...window.livedataFrames.filter(f => f.t >= {start_ms})"
                    ".map(f => f.t))"
                )
                covered_from_s = max(covered_from_s, (first_t - start_ms) / 1000)
                frames.extend(f[:3] for f in got if f[3] == "paint")
                unprobed += sum(f[3] != "paint" for f in got)
                unpainted += page.evaluate("window.livedataUnpainted")
                viewports.append(page.evaluate("[innerWidth, innerHeight]"))
    minute = max(1, len(rss) // max(1, round(args.seconds / 60)))
    first, last = rss[:minute], rss[-minute:]
    latencies = sorted(drawn for _, _, drawn in frames)
    images = {f"cell{i}-layer0" for i in range(len(IMAGES))}
    stages = {
        "published": spread(publisher.flushed_ms),
        **served["stages_ms"],
        "browser_applied": spread([applied for _, applied, _ in frames]),
        "browser_drawn": spread(latencies),
    }
    report = {
        "seconds": args.seconds,
        "sessions": args.sessions,
        "frames_published": publisher.frames,
        "frames_drawn_per_session": per_page,
        "viewports": viewports,
        # Seconds into the measured window of the first frame every page kept
        # (under a second when the figures cover the whole run).
        "frames_cover_from_s": round(covered_from_s, 1),
        # Left out of the figures: stamped at an animation frame, not the paint.
        "frames_not_paint_probed": unprobed,
        # Dropped by the page: their plot had not painted 1000 frames later.
        "frames_never_painted": unpainted,
        "server_cpu_percent_of_core": round(100 * cpu, 1),
        # One definition of median and p90 (``spread``) for headline and stages.
        "latency_ms_median": stages["browser_drawn"]["median"],
        "latency_ms_p90": stages["browser_drawn"]["p90"],
        "latency_ms_images": spread([d for n, _, d in frames if n in images]),
        "latency_ms_lines": spread([d for n, _, d in frames if n not in images]),
        # Each stage's lag behind the frame's data (= publish) time, in order:
        # the publisher has it delivered, the server has it stored, computed,
        # rendered in a session, written to the websocket; the page has it in
        # its model, then painted. Differences of medians: where time goes.
        "stages_ms": stages,
        "stage_median_steps_ms": steps(stages),
        "server_render_lag_ms": served["render_lag_ms"],
        "rss_mb_first_minute": round(statistics.mean(first), 1) if first else None,
        "rss_mb_last_minute": round(statistics.mean(last), 1) if last else None,
        "rss_mb_samples": [round(r, 1) for r in rss],
        "load_average_1min": os.getloadavg()[0],
    }
    return report


def steps(stages: dict) -> dict:
    """Each stage's median minus the previous stage's: its share of the time."""
    out, before = {}, 0.0
    for name, figures in stages.items():
        median = figures["median"]
        if median is None:
            continue
        out[name] = round(median - before, 1)
        before = median
    return out


if __name__ == "__main__":
    raise SystemExit(main())
