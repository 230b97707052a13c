"""Console load benchmark: 50 services, 500 jobs and 50 result streams at 1 Hz.

Runs the Textual console headless against the clock-driven fake plane of the
console tests; a feeder thread sends a heartbeat for every service, a new value
for every result stream and a state change for a few jobs once a second. It
reports the console's CPU (% of one core): process CPU minus the feeder thread's
own CPU, over the run. The goal is <= 25 % of a core at the default 3 Hz.

    python benchmarks/tui_load.py [--seconds 30] [--refresh 3] [--view jobs]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from livedata.control.snapshots import JobRow, ResultRow
from livedata_tui.app import LivedataApp
from tests.tui.scene import dummy_specs, make_plane

N_SERVICES, N_JOBS, N_RESULTS = 50, 500, 50


def build(plane) -> list[ResultRow]:
    for i in range(N_SERVICES):
        plane.heartbeat(f"service_{i:02d}", job_count=10, messages_per_s=100.0 + i)
    for i in range(N_JOBS):
        number = f"{i:08x}-0000-4000-8000-000000000000"
        plane.set_job(
            JobRow(
                job_id=f"source_{i % 25}/{number}",
                source_name=f"source_{i % 25}",
                job_number=number,
                workflow_id="dummy/panel_0_xy/1",
                state="active",
                start_time_ns=1_700_000_000_000_000_000,
            )
        )
    results = []
    for i in range(N_RESULTS):
        number = f"{i:08x}-0000-4000-8000-000000000000"
        row = ResultRow(
            key=f"result-{i}",
            workflow_id="dummy/panel_0_xy/1",
            job_id=f"source_{i % 25}/{number}",
            output_name="counts_total",
            dims=(),
            shape=(),
            unit="counts",
            updated_s=plane.clock(),
        )
        plane.set_result(row)
        results.append(row)
    return results


def feed(plane, results, stop: threading.Event, cpu: list[float]) -> None:
    start = time.thread_time()
    tick = 0
    while not stop.wait(1.0):
        tick += 1
        plane.advance(1.0)
        for i in range(N_SERVICES):
            plane.heartbeat(
                f"service_{i:02d}", job_count=10, messages_per_s=100.0 + (i + tick) % 7
            )
        for i, row in enumerate(results):
            value = float((i * 37 + tick * 11) % 100)
            row = replace(
                row,
                summary={"value": value},
                history=(*row.history[-59:], value),
                updated_s=plane.clock(),
            )
            results[i] = row
            plane.set_result(row)
    cpu.append(time.thread_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--refresh", type=float, default=3.0, help="redraws per second")
    parser.add_argument("--view", default="jobs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    plane = make_plane(ack_delay_s=1.0)
    results = build(plane)
    app = LivedataApp(
        plane, workflows=dummy_specs(), refresh_hz=args.refresh, clock=plane.clock
    )
    stop = threading.Event()
    feeder_cpu: list[float] = []
    measured: dict[str, float] = {}

    def run_load() -> None:
        time.sleep(2.0)  # start-up (imports, first compose) is not measured
        app.call_from_thread(app.action_view, args.view)
        feeder = threading.Thread(
            target=feed, args=(plane, results, stop, feeder_cpu), daemon=True
        )
        cpu0, wall0, calls0 = (
            time.process_time(),
            time.monotonic(),
            plane.snapshot_calls,
        )
        feeder.start()
        time.sleep(args.seconds)
        stop.set()
        feeder.join()
        measured["cpu_s"] = time.process_time() - cpu0
        measured["wall_s"] = time.monotonic() - wall0
        measured["snapshots"] = plane.snapshot_calls - calls0
        app.call_from_thread(app.exit)

    threading.Thread(target=run_load, daemon=True).start()
    app.run(headless=True, size=(160, 50))
    console_cpu = measured["cpu_s"] - feeder_cpu[0]
    report = {
        "services": N_SERVICES,
        "jobs": N_JOBS,
        "result_streams": N_RESULTS,
        "view": args.view,
        "refresh_hz": args.refresh,
        "seconds": round(measured["wall_s"], 1),
        "snapshots_read": measured["snapshots"],
        "console_cpu_percent": round(100 * console_cpu / measured["wall_s"], 1),
        "feeder_cpu_percent": round(100 * feeder_cpu[0] / measured["wall_s"], 1),
    }
    if args.json:
        print(json.dumps(report))
    else:
        for name, value in report.items():
            print(f"{name:<22} {value}")
        print("goal                   console_cpu_percent <= 25")


if __name__ == "__main__":
    main()
