"""Total counts: the smallest real sciline reduction, run by StreamProcessorWorkflow."""

from __future__ import annotations

from typing import NewType

import sciline
import scipp as sc
from ess.reduce.streaming import EternalAccumulator

from ..preprocessors.essreduce_accumulators import NoCopyWindowAccumulator
from .stream_processor_workflow import StreamProcessorWorkflow

DetectorEvents = NewType("DetectorEvents", sc.DataArray)  # NXevent_data layout
CountsForTotal = NewType("CountsForTotal", sc.DataArray)
CountsForWindow = NewType("CountsForWindow", sc.DataArray)
TotalCounts = NewType("TotalCounts", sc.DataArray)
CurrentCounts = NewType("CurrentCounts", sc.DataArray)


def _count(events: sc.DataArray) -> sc.DataArray:
    total = events.bins.size().sum().to(dtype="float64")
    return sc.DataArray(sc.scalar(total.value, variance=total.value, unit="counts"))


def counts_for_total(events: DetectorEvents) -> CountsForTotal:
    return CountsForTotal(_count(events))


def counts_for_window(events: DetectorEvents) -> CountsForWindow:
    return CountsForWindow(_count(events))


def total_counts(counts: CountsForTotal) -> TotalCounts:
    return TotalCounts(counts)


def current_counts(counts: CountsForWindow) -> CurrentCounts:
    return CurrentCounts(counts)


def make_total_counts_workflow(source_name: str) -> StreamProcessorWorkflow:
    pipeline = sciline.Pipeline(
        [counts_for_total, counts_for_window, total_counts, current_counts]
    )
    return StreamProcessorWorkflow(
        pipeline,
        dynamic_keys={source_name: DetectorEvents},
        target_keys={"total_counts": TotalCounts, "counts_current": CurrentCounts},
        accumulators={
            CountsForTotal: EternalAccumulator,
            CountsForWindow: NoCopyWindowAccumulator,
        },
    )
