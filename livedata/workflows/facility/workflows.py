"""livedata's workflows publishing the facility's outputs (heavy: scipp, NumPy).

Each wrapper feeds the inner workflow unchanged and only names, adds or drops
outputs; counts the inner workflow does not keep (events in the facility's
time-of-arrival range, all events of a view whose image is range-filtered) are
counted here from the same inputs, window by window like the inner workflow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import scipp as sc

from ...core.events import DetectorEvents, MonitorEvents
from ...core.timestamp import Timestamp
from ...core.workflow import take_dropped_events
from ..roi import polygons_to_dataarray, rectangles_to_dataarray


def _counts(total: float) -> sc.DataArray:
    value = float(total)
    return sc.DataArray(sc.scalar(value, variance=value, unit="counts"))


class _WindowCounter:
    """A count per window, folded into the cumulative once published."""

    def __init__(self) -> None:
        self.window = 0.0
        self.cumulative = 0.0
        self._published = False

    def fold(self) -> None:
        if self._published:
            self.cumulative += self.window
            self.window = 0.0
            self._published = False

    def publish(self) -> tuple[float, float]:
        self._published = True
        return self.window, self.cumulative + self.window

    def clear(self) -> None:
        self.window = self.cumulative = 0.0
        self._published = False


class MonitorWorkflow:
    """A monitor histogram with ``counts_in_toa_range(_cumulative)``.

    With the range disabled every event counts (the same as ``counts_total``);
    enabled, events are counted by their time of arrival, histograms by the
    bins whose centre lies in the range.
    """

    def __init__(
        self, inner: Any, *, source_name: str, toa_range_ns: tuple[float, float] | None
    ) -> None:
        self._inner = inner
        self._source = source_name
        self._range = toa_range_ns
        self._in_range = _WindowCounter()

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        self._in_range.fold()
        value = data.get(self._source)
        if value is not None and self._range is not None:
            self._in_range.window += self._count_in_range(value)
        self._inner.accumulate(data, start_time=start_time, end_time=end_time)

    def _count_in_range(self, value: Any) -> float:
        low, high = self._range
        if isinstance(value, sc.DataArray):
            edges = value.coords["time_of_arrival"].to(unit="ns", dtype="float64")
            centres = 0.5 * (edges.values[1:] + edges.values[:-1])
            inside = (centres >= low) & (centres < high)
            return float(np.asarray(value.values, dtype=float)[inside].sum())
        chunks = (value,) if isinstance(value, MonitorEvents) else value
        total = 0
        for chunk in chunks:
            toa = np.asarray(chunk.time_of_arrival)
            total += int(np.count_nonzero((toa >= low) & (toa < high)))
        return float(total)

    def finalize(self) -> dict[str, sc.DataArray]:
        out = dict(self._inner.finalize())
        if self._range is None:
            window = out["counts_total"].copy()
            cumulative = out["counts_total_cumulative"].copy()
        else:
            w, c = self._in_range.publish()
            window, cumulative = _counts(w), _counts(c)
        out["counts_in_toa_range"] = window
        out["counts_in_toa_range_cumulative"] = cumulative
        return out

    def clear(self) -> None:
        self._inner.clear()
        self._in_range.clear()

    def take_dropped_events(self) -> Mapping[str, int]:
        return take_dropped_events(self._inner)


class ViewWorkflow:
    """A detector view with the facility's output names.

    livedata's view counts only the events in the time-of-arrival range into its
    image (all of them when the range is off): those are the facility's
    ``counts_in_toa_range``; ``counts_total`` counts every event on a pixel.
    """

    def __init__(
        self,
        inner: Any,
        *,
        source_name: str,
        names: Sequence[str],
        renames: Mapping[str, str],
    ) -> None:
        self._inner = inner
        self._source = source_name
        self._names = tuple(names)
        self._renames = dict(renames)
        self._all = _WindowCounter()
        self._bad_seen = 0

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        self._all.fold()
        chunks = data.get(self._source, ())
        if isinstance(chunks, DetectorEvents):
            chunks = (chunks,)
        events = sum(len(chunk.pixel_id) for chunk in chunks)
        try:
            self._inner.accumulate(data, start_time=start_time, end_time=end_time)
        finally:
            bad = self._inner.dropped_events["bad_pixel_id"]
            self._all.window += events - (bad - self._bad_seen)
            self._bad_seen = bad

    def finalize(self) -> dict[str, sc.DataArray]:
        own = self._inner.finalize()
        window, cumulative = self._all.publish()
        computed = {
            "counts_in_toa_range": own["counts_total"],
            "counts_in_toa_range_cumulative": own["counts_total_cumulative"],
            "counts_total": _counts(window),
            "counts_total_cumulative": _counts(cumulative),
        }
        return {
            name: computed[name]
            if name in computed
            else own[self._renames.get(name, name)]
            for name in self._names
        }

    def clear(self) -> None:
        self._inner.clear()
        self._all.clear()

    def take_dropped_events(self) -> Mapping[str, int]:
        return take_dropped_events(self._inner)


class AreaWorkflow:
    """A camera view (``AreaDetectorViewWorkflow``) with the facility's outputs.

    A camera has no time of arrival, so every count is "in range"; no ROI
    reaches it (the facility declares no ROI roles), so the ROI outputs are
    empty.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        self._inner.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, sc.DataArray]:
        own = self._inner.finalize()
        window = float(own["current"].sum().value)
        total = float(own["cumulative"].sum().value)
        no_roi = sc.DataArray(
            sc.zeros(dims=["roi"], shape=[0], unit="counts"),
            coords={"roi": sc.zeros(dims=["roi"], shape=[0], dtype="int32", unit=None)},
        )
        return {
            "cumulative": own["cumulative"],
            "current": own["current"],
            "counts_total_cumulative": _counts(total),
            "counts_total": _counts(window),
            "counts_in_toa_range_cumulative": _counts(total),
            "counts_in_toa_range": _counts(window),
            "roi_spectra_cumulative": no_roi,
            "roi_spectra_current": no_roi.copy(),
            "roi_rectangle": rectangles_to_dataarray([], None),
            "roi_polygon": polygons_to_dataarray([], None),
        }

    def clear(self) -> None:
        self._inner.clear()


class Combined:
    """Workflows fed the same inputs whose outputs are published together
    (a view and an output the facility adds to it)."""

    def __init__(self, *parts: Any) -> None:
        self._parts = parts

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        for part in self._parts:
            part.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for part in self._parts:
            out.update(part.finalize())
        return out

    def clear(self) -> None:
        for part in self._parts:
            part.clear()

    def take_dropped_events(self) -> Mapping[str, int]:
        return take_dropped_events(self._parts[0])


class SelectedOutputs:
    """An inner workflow publishing only ``names`` of its outputs; a mapping
    ``{published name: inner name}`` renames them as it selects."""

    def __init__(self, inner: Any, names: Sequence[str] | Mapping[str, str]) -> None:
        self._inner = inner
        self._names = (
            dict(names) if isinstance(names, Mapping) else {n: n for n in names}
        )

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        self._inner.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, Any]:
        own = self._inner.finalize()
        return {name: own[inner] for name, inner in self._names.items() if inner in own}

    def clear(self) -> None:
        self._inner.clear()

    def take_dropped_events(self) -> Mapping[str, int]:
        return take_dropped_events(self._inner)


class DeltaTimeseriesWorkflow:
    """``delta``: the log values dated after those of the previous result.

    Input is the cumulative NXlog (dim ``time``) of the log stream, shared by
    every job on it; a reset forgets nothing already published twice, it only
    restarts from the next values.
    """

    def __init__(self, *, source_name: str) -> None:
        self._source = source_name
        self._history: sc.DataArray | None = None
        self._published_until: int | None = None

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        history = data.get(self._source)
        if history is not None:
            self._history = history

    def finalize(self) -> dict[str, sc.DataArray]:
        if self._history is None:
            return {}
        times = (
            self._history.coords["time"].values.astype("datetime64[ns]").view(np.int64)
        )
        first = 0
        if self._published_until is not None:
            first = int(np.searchsorted(times, self._published_until, side="right"))
        if first >= times.size:
            return {}
        self._published_until = int(times[-1])
        return {"delta": self._history["time", first:].copy()}

    def clear(self) -> None:
        if self._history is not None and self._history.sizes["time"]:
            times = self._history.coords["time"].values.astype("datetime64[ns]")
            self._published_until = int(times.view(np.int64)[-1])


def wrap_factory(
    make: Callable[..., Any], wrap: Callable[[Any, Any], Any]
) -> Callable[[Any], Any]:
    """A workflow factory: ``wrap(make(context), context)``."""

    def factory(context: Any) -> Any:
        return wrap(make(context), context)

    return factory
