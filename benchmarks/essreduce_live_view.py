"""essreduce's ``ess.reduce.live`` detector view against livedata's kernel (issue 2, item 4).

The issue asks that essreduce's live tools be measured against the bench goal
(>= 1e8 events/s on one core) before they go on the per-message path. All three
variants histogram the same pulses of the dummy panel (128 x 128 pixels, ids
1..16384, xy-plane projection with 4 noisy replicas, 100 time-of-arrival bins):

* ``essreduce_image``: ``RollingDetectorView.add_counts(pixel_ids)``, the fastest
  entry point essreduce offers. Image only: it has no time-of-arrival axis, so it
  cannot give the spectra a detector view publishes.
* ``essreduce_image_and_roi_spectrum``: what a view with a spectrum needs through
  essreduce: events as a scipp DataArray grouped by pixel, ``add_events`` for the
  image, ``ROIFilter.apply`` plus a histogram over time of arrival for one ROI.
* ``livedata_kernel``: ``PixelHistogrammer.add``, one pass giving the image counts,
  the spectrum and every ROI's spectrum at once.

Only the per-message work is timed; setup (projections, ROI selection) is not.
The process pins itself to one core before scipp starts its thread pool, so the
figures are per core like the goal (``--all-cores`` lets scipp use every core).

    python benchmarks/essreduce_live_view.py [--pulses 14] [--events-per-pulse 1000000]
        [--repeats 3] [--all-cores] [--json]
"""

from __future__ import annotations

import os
import sys

if "--all-cores" not in sys.argv and hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse
import json
import time
from collections.abc import Callable

import numpy as np
import scipp as sc
from ess.reduce.live import raw

from livedata.core.timestamp import PULSE_PERIOD
from livedata.workflows.histogram_kernel import (
    PixelHistogrammer,
    SpectralBinning,
)
from livedata.workflows.projection import synthetic_panel_positions

SHAPE = (128, 128)
N_PIXELS = SHAPE[0] * SHAPE[1]
N_BINS = 100
GOAL = 1e8


def pulses(n: int, events: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [
        (
            rng.integers(1, N_PIXELS + 1, events, dtype=np.int32),
            rng.integers(0, PULSE_PERIOD.ns, events, dtype=np.int32),
        )
        for _ in range(n)
    ]


def rolling_view() -> raw.RollingDetectorView:
    positions = synthetic_panel_positions(*SHAPE, width_m=1.0, distance_m=4.0)
    flat = positions.flatten(to="detector_number")
    detector = sc.DataArray(sc.zeros(sizes=flat.sizes), coords={"position": flat})
    noisy = raw.position_with_noisy_replicas(
        detector=detector,
        position_noise=raw.gaussian_position_noise(sc.scalar(0.002, unit="m")),
        replicas=3,
    )
    histogrammer = raw.Histogrammer.from_coords(
        raw.make_xy_plane_coords(noisy), {"y": SHAPE[0], "x": SHAPE[1]}
    )
    numbers = sc.arange("detector_number", 1, N_PIXELS + 1, unit=None, dtype="int32")
    return raw.RollingDetectorView(
        detector_number=numbers, window=14, projection=histogrammer
    )


def essreduce_image(data) -> Callable[[], None]:
    view = rolling_view()

    def run() -> None:
        for pixel_id, _ in data:
            view.add_counts(pixel_id)
        view.get()

    return run


def essreduce_image_and_roi_spectrum(data) -> Callable[[], None]:
    view = rolling_view()
    roi = view.make_roi_filter()
    half = sc.scalar(0.0, unit="m")
    roi.set_roi_from_intervals(sc.DataGroup({"x": (half, sc.scalar(1.0, unit="m"))}))
    toa_edges = sc.linspace("toa", 0.0, float(PULSE_PERIOD.ns), N_BINS + 1, unit="ns")
    numbers = sc.arange("detector_number", 1, N_PIXELS + 1, unit=None, dtype="int32")

    def run() -> None:
        for pixel_id, toa in data:
            events = sc.DataArray(
                sc.ones(sizes={"event": len(toa)}, unit="counts", dtype="float32"),
                coords={
                    "detector_number": sc.array(
                        dims=["event"], values=pixel_id, unit=None
                    ),
                    "toa": sc.array(dims=["event"], values=toa, unit="ns"),
                },
            )
            grouped = events.group(numbers)
            view.add_events(grouped)
            selected, scale = roi.apply(grouped)
            (selected * scale).bins.concat().hist(toa=toa_edges)
        view.get()

    return run


def livedata_kernel(data) -> Callable[[], None]:
    binning = SpectralBinning(0.0, float(PULSE_PERIOD.ns), N_BINS)
    histogrammer = PixelHistogrammer(N_PIXELS, 1, binning)
    histogrammer.roi_bits[N_PIXELS // 2 :] = 1  # one ROI, as above
    histogrammer.add(*data[0])  # numba compiles (or loads its cache) here

    def run() -> None:
        for pixel_id, toa in data:
            histogrammer.add(pixel_id, toa)

    return run


def measure(make: Callable, data, repeats: int) -> float:
    """Best of ``repeats``: events per second of one core."""
    run = make(data)
    run()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        begin = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - begin)
    return sum(len(toa) for _, toa in data) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pulses", type=int, default=14)
    parser.add_argument("--events-per-pulse", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--all-cores", action="store_true", help="do not pin")
    parser.add_argument("--json", action="store_true", help="last line is JSON")
    args = parser.parse_args()
    data = pulses(args.pulses, args.events_per_pulse)
    figures = {
        make.__name__: measure(make, data, args.repeats)
        for make in (essreduce_image, essreduce_image_and_roi_spectrum, livedata_kernel)
    }
    for name, rate in figures.items():
        verdict = "meets" if rate >= GOAL else "misses"
        print(
            f"{name:34s} {rate:10.3g} events/s  {1e9 / rate:7.2f} ns/event  "
            f"({verdict} the 1e8 goal)"
        )
    if args.json:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
        print(json.dumps({"events_per_s": figures, "goal": GOAL, "cores": cores}))


if __name__ == "__main__":
    main()
