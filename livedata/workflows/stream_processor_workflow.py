"""Bridge from essreduce's ``StreamProcessor`` to the Workflow protocol (B8).

Dynamic inputs (events, monitors: every batch) go to ``accumulate``; context
inputs (ROIs, log values, settings: rarely) go to ``set_context``, which updates
cached pipeline nodes without clearing accumulated data. Input keys (source
names and aux roles) are mapped to sciline keys here, so reduction pipelines
never see stream names.

``partial_targets`` makes optional inputs optional: while an input they do not
need has delivered nothing (its accumulator is empty, e.g. no monitor events
yet), ``finalize`` computes only them instead of failing on the empty
accumulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sciline
import scipp as sc
from ess.reduce.streaming import StreamProcessor

from ..core.metrics import Counters
from ..core.timestamp import Timestamp


def _as_dataarray(value: Any) -> sc.DataArray:
    if isinstance(value, sc.DataArray):
        return value
    if isinstance(value, sc.Variable):
        return sc.DataArray(value)
    raise TypeError(f"workflow output of type {type(value).__name__} is not scipp data")


class StreamProcessorWorkflow:
    def __init__(
        self,
        pipeline: sciline.Pipeline,
        *,
        dynamic_keys: Mapping[str, type],
        target_keys: Mapping[str, type],
        accumulators: Mapping[type, Any] | tuple[type, ...],
        context_keys: Mapping[str, type] | None = None,
        counters: Counters | None = None,
        partial_targets: Mapping[str, type] | None = None,
    ) -> None:
        self._dynamic = dict(dynamic_keys)
        self._context = dict(context_keys or {})
        self._targets = dict(target_keys)
        self._partial = dict(partial_targets or {})
        self._counters = counters if counters is not None else Counters()
        self._processor = StreamProcessor(
            pipeline,
            dynamic_keys=tuple(self._dynamic.values()),
            context_keys=tuple(self._context.values()),
            target_keys=tuple(self._targets.values()),
            accumulators=accumulators
            if isinstance(accumulators, tuple)
            else dict(accumulators),
        )
        self._has_data = False

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        context: dict[type, Any] = {}
        dynamic: dict[type, Any] = {}
        for name, value in data.items():
            if name in self._context:
                context[self._context[name]] = value
            elif name in self._dynamic:
                dynamic[self._dynamic[name]] = value
            else:
                self._counters.increment(f"unknown_input:{name}")
        if context:
            self._processor.set_context(context)
        if dynamic:
            self._processor.accumulate(dynamic)
            self._has_data = True

    def finalize(self) -> dict[str, sc.DataArray]:
        """Outputs by name; ``{}`` ("no result yet") before any data since a clear."""
        if not self._has_data:
            return {}
        if self._partial and self._empty_accumulators():
            return self._finalize_partial()
        results = self._processor.finalize()
        return {
            name: _as_dataarray(results[key]) for name, key in self._targets.items()
        }

    def _empty_accumulators(self) -> list:
        # essreduce's StreamProcessor has no public view of its accumulators.
        accumulators = self._processor._accumulators
        return [key for key, acc in accumulators.items() if acc.is_empty]

    def _finalize_partial(self) -> dict[str, sc.DataArray]:
        """``finalize`` of ``partial_targets`` from the accumulators that have data
        (mirrors ``StreamProcessor.finalize``)."""
        accumulators = self._processor._accumulators
        graph = self._processor._finalize_workflow
        filled = [key for key, acc in accumulators.items() if not acc.is_empty]
        for key in filled:
            graph[key] = accumulators[key].value
        results = graph.compute(tuple(self._partial.values()))
        for key in filled:
            graph.release(key)
            accumulators[key].on_finalize()
        return {
            name: _as_dataarray(results[key]) for name, key in self._partial.items()
        }

    def clear(self) -> None:
        self._processor.clear()
        self._has_data = False
