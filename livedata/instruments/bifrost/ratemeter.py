"""bifrost/detector_ratemeter: merged events folded to (arc, tube, channel, pixel).

A sciline pipeline run by essreduce's StreamProcessor: per batch, events of the
unified detector (NXevent_data layout) are counted per pixel and folded; the
cumulative fold is the per-pixel count map, the window fold divided by the window
length (pulses seen / 14 Hz) is the rate per arc and channel.
"""

from __future__ import annotations

from typing import NewType

import numpy as np
import sciline
import scipp as sc

from livedata.core.timestamp import PULSE_PERIOD
from livedata.preprocessors.essreduce_accumulators import (
    NoCopyAccumulator,
    NoCopyWindowAccumulator,
)
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow

from . import banks

UnifiedEvents = NewType("UnifiedEvents", sc.DataArray)
PixelCounts = NewType("PixelCounts", sc.DataArray)
PixelCountsWindow = NewType("PixelCountsWindow", sc.DataArray)
WindowDuration = NewType("WindowDuration", sc.DataArray)
RatePerArcChannel = NewType("RatePerArcChannel", sc.DataArray)
RateTotal = NewType("RateTotal", sc.DataArray)


def fold(events: sc.DataArray) -> sc.DataArray:
    """Counts per pixel in the unified shape; ids outside the detector are dropped."""
    cfg = banks.UNIFIED
    flat = events.bins.constituents["data"] if events.bins is not None else events
    index = flat.coords["event_id"].values.astype(np.int64) - cfg.first_detector_number
    index = index[(index >= 0) & (index < cfg.n_pixels)]
    counts = np.bincount(index, minlength=cfg.n_pixels).astype(np.float64)
    return sc.DataArray(
        sc.array(dims=list(cfg.dims), values=counts.reshape(cfg.shape), unit="counts")
    )


def pixel_counts(events: UnifiedEvents) -> PixelCounts:
    return PixelCounts(fold(events))


def pixel_counts_window(events: UnifiedEvents) -> PixelCountsWindow:
    return PixelCountsWindow(fold(events))


def window_duration(events: UnifiedEvents) -> WindowDuration:
    """Pulses in the batch (merged triplets share pulse times) x pulse period."""
    pulses = np.unique(events.coords["event_time_zero"].values).size
    return WindowDuration(
        sc.DataArray(sc.scalar(pulses * PULSE_PERIOD.ns * 1e-9, unit="s"))
    )


def rate_per_arc_channel(
    counts: PixelCountsWindow, duration: WindowDuration
) -> RatePerArcChannel:
    summed = counts.sum(["tube", "pixel"]) / duration.data
    summed.coords["arc"] = sc.arange("arc", banks.N_ARC, unit=None)
    summed.coords["channel"] = sc.arange("channel", banks.N_CHANNEL, unit=None)
    return RatePerArcChannel(summed)


def rate_total(counts: PixelCountsWindow, duration: WindowDuration) -> RateTotal:
    return RateTotal(counts.sum() / duration.data)


def make_ratemeter_workflow(source_name: str) -> StreamProcessorWorkflow:
    pipeline = sciline.Pipeline(
        [
            pixel_counts,
            pixel_counts_window,
            window_duration,
            rate_per_arc_channel,
            rate_total,
        ]
    )
    return StreamProcessorWorkflow(
        pipeline,
        dynamic_keys={source_name: UnifiedEvents},
        target_keys={
            "detector_counts": PixelCounts,
            "rate": RatePerArcChannel,
            "rate_total": RateTotal,
        },
        accumulators={
            PixelCounts: NoCopyAccumulator,
            PixelCountsWindow: NoCopyWindowAccumulator,
            WindowDuration: NoCopyWindowAccumulator,
        },
    )
