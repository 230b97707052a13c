"""Console load benchmark: 50 services, 500 jobs and 50 result streams at 1 Hz.

The console runs as a child process on a pseudo-terminal, with Textual's real
terminal driver, on a real ``ControlPlane`` (pump thread, ``DataService``) over
the in-memory bus. A feeder thread in the child publishes, spread over every
second, the serialised messages services would: x5f2 heartbeats of 50 services
(with consumer lag), x5f2 statuses of 500 jobs (about 10 % changing state each
second, a few failing, five replaced by new jobs every ten seconds), da00
frames of 50 result streams (0-d, 1-d and 2-d), one command of another client
and its answer; two services fall silent now and then (STALE, notifications).

The parent visits every main view with the view keys and measures, per view:

- console CPU, % of one core: the child's CPU minus the feeder thread's (it
  stands for the services), split into the UI thread and the plane's pump;
- keypress-to-paint: ``:`` written to the terminal until the command line's
  placeholder comes back from it (then Esc), a few times per view;
- render tick jitter: how late the render ticks run against their interval,
  and how long a tick's render takes (measured in the child).

    python benchmarks/tui_load.py [--seconds 8] [--refresh 3] [--json]

The goal: console CPU <= 25 % of a core on every view, the console responsive.
"""

from __future__ import annotations

import argparse
import faulthandler
import fcntl
import itertools
import json
import logging
import os
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_SERVICES, N_JOBS, N_RESULTS = 50, 500, 50
VIEWS = ("services", "jobs", "commands", "workflows", "results", "lag", "notifications")
SIZE = (160, 50)  # columns, rows
PROBE_KEY = b":"  # opens the command line ...
MARKER = b"(Tab completes)"  # ... whose placeholder ends so
SLICES = 10  # the feed of one second goes out in this many parts
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the child: the console, its plane and the feeder ---------------------------


def job_number(i: int) -> str:
    return f"{i:08x}-0000-4000-8000-{i:012x}"


class Feeder:
    """Publishes one second of traffic in ``SLICES`` parts, every second."""

    def __init__(self, bus) -> None:
        import numpy as np
        import scipp as sc

        from livedata.core.timestamp import Timestamp
        from livedata.instruments import get_instrument
        from livedata.services.builder import SERVICES
        from tests.tui.scene import BusFeed

        class RealTime:
            def wall(self) -> Timestamp:
                return Timestamp.now()

        self.feed = BusFeed(bus, RealTime())
        self.started_at_ns = time.time_ns()
        self.np, self.sc = np, sc
        names = sorted(SERVICES)
        self.services = [(names[i % 4], f"w{i // 4:02d}") for i in range(N_SERVICES)]
        specs = get_instrument("dummy").workflows.specs()
        self.jobs = []  # (job id, workflow id)
        for i in range(N_JOBS):
            spec = specs[i % len(specs)]
            source = spec.source_names[i % len(spec.source_names)]
            self.jobs.append([f"{source}/{job_number(i)}", str(spec.workflow_id)])
        self.next_job = N_JOBS
        self.second = 0
        self.stop = threading.Event()
        self.cpu_s = 0.0
        self.native_id = 0

    def run(self) -> None:
        self.native_id = threading.get_native_id()
        start = time.monotonic()
        while not self.stop.is_set():
            for part in range(SLICES):
                self.publish(part)
                due = start + self.second + (part + 1) / SLICES
                if self.stop.wait(max(0.0, due - time.monotonic())):
                    break
            self.second += 1
            self.cpu_s = time.thread_time()

    def publish(self, part: int) -> None:
        from livedata.core.commands import WorkflowConfig
        from livedata.core.identifiers import JobId, WorkflowId
        from livedata.core.status import JobState

        k = self.second
        for i in range(part, N_SERVICES, SLICES):
            name, worker = self.services[i]
            if i < 2 and (k // 15) % 3 == 2:
                continue  # silent for 15 s out of 45: STALE, then back
            topic = f"dummy_{'detector' if name == 'detector_data' else 'beam_monitor'}"
            self.feed.service(
                name,
                worker,
                jobs=10,
                processed_step=100 + (i * 7 + k) % 40,
                started_at_ns=self.started_at_ns,
                lag={(topic, 0): (i + k) % 20, (topic, 1): None},
                time_lag={(topic, 0): ((i + k) % 20) / 10, (topic, 1): None},
            )
        if k and k % 10 == 0 and part == 0:  # five jobs replaced by new ones
            for j in range(5):
                victim = self.jobs[(k * 13 + j * 97) % N_JOBS]
                self.feed.job(victim[0], victim[1], JobState.STOPPED)
                source = victim[0].split("/")[0]
                victim[0] = f"{source}/{job_number(self.next_job)}"
                self.next_job += 1
        for i in range(part, N_JOBS, SLICES):
            job, workflow = self.jobs[i]
            if (i * 7 + k) % 97 == 0:
                self.feed.job(job, workflow, JobState.ERROR, error=f"failed at {k}")
            elif (i + k) % 10 == 0:
                self.feed.job(job, workflow, JobState.WARNING, warning=f"slow at {k}")
            else:
                self.feed.job(job, workflow, start_time=1_700_000_000 * 10**9)
        for i in range(part, N_RESULTS, SLICES):
            job, workflow = self.jobs[i]
            self.feed.result(workflow, job, *self.frame(i, k))
        if part == 0:
            job, workflow = self.jobs[k % N_JOBS]
            source, number = job.split("/")
            config = WorkflowConfig(
                identifier=WorkflowId.parse_str(workflow),
                job_id=JobId(source_name=source, job_number=number),
            )
            self.feed.command(config)
            self.feed.answer(config.message_id, source)

    def frame(self, i: int, k: int):
        np, sc = self.np, self.sc
        level = float((i * 37 + k * 11) % 100)
        if i < 30:
            return "counts_total", sc.DataArray(sc.scalar(level, unit="counts"))
        if i < 45:
            values = np.random.default_rng(i + k).poisson(level + 1, 500).astype(float)
            da = sc.DataArray(
                sc.array(dims=["time_of_arrival"], values=values, unit="counts"),
                coords={
                    "time_of_arrival": sc.linspace(
                        "time_of_arrival", 0.0, 71.0, 501, unit="ms"
                    )
                },
            )
            return "spectrum_current", da
        values = np.full((128, 128), level)
        return "image_cumulative", sc.DataArray(
            sc.array(dims=["y", "x"], values=values, unit="counts")
        )


def child(args) -> None:
    from livedata.control.data_service import DataService
    from livedata.control.memory_transport import InMemoryBus
    from livedata.control.plane import ControlPlane
    from livedata.instruments import get_instrument
    from livedata_tui.app import LivedataApp

    report = Path(args.report)
    # Textual draws on stderr (the pty): logs and stacks go to a file instead.
    log = (report.parent / "child.log").open("a")
    logging.basicConfig(stream=log, level=logging.WARNING)
    faulthandler.register(signal.SIGUSR1, file=log)
    bus = InMemoryBus("dummy")
    plane = ControlPlane(
        "dummy",
        bus.transport(),
        data_service=DataService(),
        persist=False,
    )
    feeder = Feeder(bus)
    ticks: list[tuple[float, float]] = []

    class MeasuredApp(LivedataApp):
        def tick(self) -> None:
            begin = time.monotonic()  # the parent's clock too (CLOCK_MONOTONIC)
            super().tick()
            ticks.append((begin, time.monotonic() - begin))

        def on_mount(self) -> None:
            super().on_mount()
            self.set_timer(1.0, announce)

    app = MeasuredApp(
        plane,
        workflows=get_instrument("dummy").workflows.specs(),
        refresh_hz=args.refresh,
    )

    def announce() -> None:
        pump = next(
            t for t in threading.enumerate() if t.name == "livedata-control-pump"
        )
        ready = {
            "feeder": feeder.native_id,
            "pump": pump.native_id,
            "main": os.getpid(),
        }
        (report.parent / "ready.json").write_text(json.dumps(ready))

    plane.start()
    thread = threading.Thread(target=feeder.run, name="feeder", daemon=True)
    thread.start()
    try:
        app.run()
    finally:
        feeder.stop.set()
        thread.join()
        plane.close()
        report.write_text(json.dumps({"ticks": ticks, "nominal_s": 1 / args.refresh}))


# --- the parent: a terminal, keys, and the measuring -----------------------------


class Terminal:
    """The master side of the console's pty: writes keys, collects the output."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.changed = threading.Condition()
        self.open = True
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while self.open:
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self.changed:
                self.buffer += chunk
                self.changed.notify_all()
        self.open = False

    def keys(self, data: bytes) -> None:
        os.write(self.fd, data)

    def key_to_paint(
        self, key: bytes, marker: bytes, timeout: float = 5.0
    ) -> float | None:
        """Seconds from writing ``key`` until ``marker`` comes back; None if not."""
        with self.changed:
            since = max(0, len(self.buffer) - len(marker))
        sent = time.monotonic()
        self.keys(key)
        with self.changed:
            while self.buffer.find(marker, since) < 0:
                left = sent + timeout - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)
            return time.monotonic() - sent


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds per thread id of ``pid``."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1]
        except (FileNotFoundError, ProcessLookupError):
            continue
        parts = fields.split()
        out[int(tid)] = (int(parts[11]) + int(parts[12])) / CLK_TCK
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_view(term: Terminal, pid: int, ids: dict, seconds: float, probes: int):
    before, t0 = thread_cpu(pid), time.monotonic()
    latencies = []
    gap = seconds / max(1, probes)
    for i in range(probes):
        time.sleep(max(0.0, t0 + (i + 0.5) * gap - time.monotonic()))
        latency = term.key_to_paint(PROBE_KEY, MARKER)
        if latency is not None:
            latencies.append(latency)
        time.sleep(0.4)
        term.keys(b"\x1b")  # close the command line
    time.sleep(max(0.0, t0 + seconds - time.monotonic()))
    after, wall = thread_cpu(pid), time.monotonic() - t0

    def used(tids=None) -> float:
        keys = after.keys() if tids is None else tids
        return sum(after.get(t, 0.0) - before.get(t, 0.0) for t in keys)

    total, feeder = used(), used([ids["feeder"]])
    return {
        "console_cpu_percent": round(100 * (total - feeder) / wall, 1),
        "ui_thread_cpu_percent": round(100 * used([ids["main"]]) / wall, 1),
        "pump_thread_cpu_percent": round(100 * used([ids["pump"]]) / wall, 1),
        "other_threads_cpu_percent": round(
            100 * (total - feeder - used([ids["main"], ids["pump"]])) / wall, 1
        ),
        "feeder_cpu_percent": round(100 * feeder / wall, 1),
        "key_to_paint_ms": {
            "median": round(1000 * statistics.median(latencies), 1)
            if latencies
            else None,
            "max": round(1000 * max(latencies), 1) if latencies else None,
            "answered": f"{len(latencies)}/{probes}",
        },
        "_window": (t0, t0 + wall),
    }


def tick_stats(report: dict, window: tuple[float, float]) -> dict:
    ticks = [t for t in report["ticks"] if window[0] <= t[0] <= window[1]]
    nominal = report["nominal_s"]
    starts = [t[0] for t in ticks]
    late = [max(0.0, b - a - nominal) for a, b in itertools.pairwise(starts)]
    renders = [t[1] for t in ticks]
    return {
        "ticks": len(ticks),
        "late_p95_ms": round(1000 * percentile(late, 0.95), 1),
        "late_max_ms": round(1000 * max(late, default=float("nan")), 1),
        "render_p95_ms": round(1000 * percentile(renders, 0.95), 1),
        "render_max_ms": round(1000 * max(renders, default=float("nan")), 1),
    }


def parent(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="tui-load-"))
    report_file = workdir / "report.json"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            "--report",
            str(report_file),
            "--refresh",
            str(args.refresh),
        ],
        stdin=slave,
        stdout=slave,
        stderr=slave,  # where Textual draws
        env={**os.environ, "TERM": "xterm-256color"},
        start_new_session=True,
        cwd=ROOT,
    )
    os.close(slave)
    term = Terminal(master)
    ready = workdir / "ready.json"
    deadline = time.monotonic() + 120
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the console did not start; see {workdir / 'child.log'}")
        time.sleep(0.2)
    ids = json.loads(ready.read_text())
    time.sleep(args.warmup)  # imports, first frames and the first full second
    views = {}
    for number, view in enumerate(VIEWS, start=1):
        term.keys(str(number).encode())
        time.sleep(1.0)
        views[view] = measure_view(term, proc.pid, ids, args.seconds, args.probes)
    term.keys(b"\x11")  # Ctrl+Q
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise SystemExit("the console did not quit on Ctrl+Q") from None
    term.open = False
    child_report = json.loads(report_file.read_text())
    shutil.rmtree(workdir, ignore_errors=True)
    for figures in views.values():
        figures["render_tick"] = tick_stats(child_report, figures.pop("_window"))
    worst = max(v["console_cpu_percent"] for v in views.values())
    latencies = [
        v["key_to_paint_ms"]["max"]
        for v in views.values()
        if v["key_to_paint_ms"]["max"]
    ]
    return {
        "services": N_SERVICES,
        "jobs": N_JOBS,
        "result_streams": N_RESULTS,
        "refresh_hz": args.refresh,
        "seconds_per_view": args.seconds,
        "terminal": f"{SIZE[0]}x{SIZE[1]}",
        "views": views,
        "worst_console_cpu_percent": worst,
        "worst_key_to_paint_ms": max(latencies, default=None),
        "goal_console_cpu_percent": 25,
        "goal_met": worst <= 25,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="per view")
    parser.add_argument("--refresh", type=float, default=3.0, help="redraws per second")
    parser.add_argument("--probes", type=int, default=3, help="key presses per view")
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    result = parent(args)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{N_SERVICES} services, {N_JOBS} jobs, {N_RESULTS} result streams at 1 Hz;"
        f" console at {args.refresh:g} Hz on a {result['terminal']} terminal"
    )
    head = "view            cpu%  (ui  pump other)  key->paint ms (median/max)  tick late p95/max ms  render p95 ms"
    print(head)
    for view, v in result["views"].items():
        k, t = v["key_to_paint_ms"], v["render_tick"]
        print(
            f"{view:<15} {v['console_cpu_percent']:>5}  ({v['ui_thread_cpu_percent']:>4}"
            f" {v['pump_thread_cpu_percent']:>4} {v['other_threads_cpu_percent']:>4})"
            f"  {k['median']!s:>8} / {k['max']!s:<8}"
            f" {k['answered']:>5}   {t['late_p95_ms']:>7} / {t['late_max_ms']:<7}"
            f"      {t['render_p95_ms']}"
        )
    print(
        f"worst console cpu {result['worst_console_cpu_percent']} % (goal <= 25 %):"
        f" {'met' if result['goal_met'] else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
