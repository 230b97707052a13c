"""From a published ROI to its spectrum on the terminal (issue 16), on the embedded broker.

Runs the broker, ``livedata service run detector_data --dev`` and ``livedata fake
detectors --rate R`` as real processes, starts one dummy/panel_0_xy job, and
opens the control plane the console renders (Kafka transport, data service,
pump thread). Then, ``--repeats`` times, publishes a ROI request with the
client's ``RoiPublisher`` (alternating one and two rectangles, so every request
changes the set of ROI indices) and clocks, on the client's monotonic clock:

- readback: until the plane's data service holds a readback equal to the request;
- spectrum: until the snapshot the console draws (``ControlPlane.snapshot()``)
  carries the job's ``roi_spectra_current`` row with one curve per requested ROI
  (what the console's ROI plot draws on its next frame).

The bar is one batch window (1 s) plus 300 ms. Requests are spaced by a random
0-1 s pause so they land at every phase of the window.

    python benchmarks/roi_latency.py [--repeats 20] [--rate 20000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

from livedata.control.data_service import DataService
from livedata.control.plane import connect
from livedata.control.quick import wait_for_services
from livedata.control.roi import Rectangle, RoiRequest
from livedata.control.roi_publisher import RoiPublisher
from livedata.control.roi_readback import RoiReadbackTracker
from livedata.control.snapshots import CommandOutcome
from livedata.instruments import get_instrument
from livedata.kafka.broker import EmbeddedBroker
from livedata.services.topics import create_instrument_topics

BATCH_WINDOW_S = 1.0
BAR_S = BATCH_WINDOW_S + 0.3


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def request(k: int) -> RoiRequest:
    x0 = random.uniform(-0.4, 0.2)
    first = Rectangle(x0, x0 + 0.2, -0.3, 0.3)
    if k % 2 == 0:
        return RoiRequest((first,), unit="m")
    return RoiRequest((first, Rectangle(-0.1, 0.1, -0.1, 0.1)), unit="m")


def curves_shown(plane, job_id: str, labels: set[str]) -> bool:
    for row in plane.snapshot().results:
        if row.job_id == job_id and row.output_name == "roi_spectra_current":
            return set(row.summary.get("curves", {})) == labels
    return False


def measure(bootstrap: str, repeats: int, timeout: float = 10.0) -> dict:
    data = DataService()
    with connect(
        "dummy", bootstrap, with_data=True, data_service=data, persist=False
    ) as plane:
        row = plane.start_job("dummy/panel_0_xy/1", ["panel_0"])
        row = plane.wait(row.message_id, 20)
        if row.outcome is not CommandOutcome.ACK:
            raise SystemExit(f"job not started: {row.outcome}")
        (job_id,) = row.job_ids
        source, number = job_id.split("/")
        publisher = RoiPublisher(plane.transport.send, source, number)
        tracker = RoiReadbackTracker("dummy/panel_0_xy/1", job_id)
        # Let the job publish a first window before the first request.
        plane.wait_for(lambda _: curves_shown(plane, job_id, set()), 15)
        readback, spectrum, misses = [], [], 0
        for k in range(repeats):
            time.sleep(random.uniform(0.0, BATCH_WINDOW_S))
            req = request(k)
            labels = {str(i) for i in req.indices}
            tracker.requested(req)
            t0 = time.monotonic()
            publisher.publish(req)
            t_back = t_spec = None
            while time.monotonic() - t0 < timeout and (
                t_back is None or t_spec is None
            ):
                if t_back is None:
                    tracker.update_from(data)
                    if tracker.state().confirmed:
                        t_back = time.monotonic() - t0
                if t_spec is None and curves_shown(plane, job_id, labels):
                    t_spec = time.monotonic() - t0
                time.sleep(0.005)
            if t_back is None or t_spec is None:
                misses += 1
                continue
            readback.append(t_back)
            spectrum.append(t_spec)
    return {"readback_s": readback, "spectrum_s": spectrum, "misses": misses}


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        "max": ordered[-1],
        "min": ordered[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20000.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    random.seed(16)
    with EmbeddedBroker() as broker:
        report = create_instrument_topics(get_instrument("dummy"), broker.bootstrap)
        assert report.ok, report
        service = spawn(
            "service",
            "run",
            "detector_data",
            "--instrument",
            "dummy",
            "--dev",
            "--bootstrap",
            broker.bootstrap,
        )
        fake = spawn(
            "fake",
            "detectors",
            "--instrument",
            "dummy",
            "--rate",
            str(args.rate),
            "--bootstrap",
            broker.bootstrap,
        )
        try:
            missing = wait_for_services(
                "dummy", broker.bootstrap, ["detector_data"], timeout=60
            )
            if missing:
                raise SystemExit(f"no heartbeat from {missing}")
            result = measure(broker.bootstrap, args.repeats)
        finally:
            for proc in (fake, service):
                proc.terminate()
                proc.wait(20)
    out = {
        "bar_s": BAR_S,
        "readback": summary(result["readback_s"]),
        "spectrum_on_terminal": summary(result["spectrum_s"]),
        "misses": result["misses"],
    }
    if args.json:
        print(json.dumps(out))
        return
    print(
        f"bar: median <= {BAR_S:.2f} s (one {BATCH_WINDOW_S:g} s batch window + 0.3 s)"
    )
    for name in ("readback", "spectrum_on_terminal"):
        s = out[name]
        if s["n"]:
            print(
                f"{name:22s} n={s['n']:3d} median {s['median']:.3f} s  p90 {s['p90']:.3f} s"
                f"  min {s['min']:.3f} s  max {s['max']:.3f} s"
            )
    print(f"requests without a spectrum in 10 s: {out['misses']}")


if __name__ == "__main__":
    main()
