"""Timeseries: the bounded history of one log and its latest value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipp as sc

from ..core.timestamp import Timestamp


class TimeseriesWorkflow:
    """Input is the cumulative NXlog DataArray (dim ``time``) of one log stream.

    The NXlog accumulator is per stream and shared by every job on it, so a
    reset cannot empty it. Instead ``clear`` makes this job forget every entry
    dated before the first batch it sees afterwards (and before anything it had
    already seen): the job starts a fresh history, other jobs keep theirs. A late
    reading dated before the reset stays forgotten.
    """

    def __init__(self, *, source_name: str) -> None:
        self._source = source_name
        self._history: sc.DataArray | None = None
        self._newest_seen_ns: int | None = None
        self._reset_pending = False
        self._forget_before_ns: int | None = None

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        history = data.get(self._source)
        if history is None:
            return
        if self._reset_pending:
            cutoff = start_time.ns
            if self._newest_seen_ns is not None:
                cutoff = max(cutoff, self._newest_seen_ns + 1)
            self._forget_before_ns = cutoff
            self._reset_pending = False
        times = history.coords["time"].values.astype("datetime64[ns]").view(np.int64)
        if times.size:
            newest = int(times[-1])
            if self._newest_seen_ns is None or newest > self._newest_seen_ns:
                self._newest_seen_ns = newest
        if self._forget_before_ns is not None:
            first = int(np.searchsorted(times, self._forget_before_ns, side="left"))
            history = history["time", first:]
        self._history = history

    def finalize(self) -> dict[str, sc.DataArray]:
        if self._history is None or self._history.sizes["time"] == 0:
            return {}
        latest = self._history["time", -1].copy()
        latest.coords["sample_time"] = latest.coords.pop("time")
        return {"timeseries": self._history, "latest": latest}

    def clear(self) -> None:
        self._history = None
        self._reset_pending = True
