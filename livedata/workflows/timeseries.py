"""Timeseries: the bounded history of one log and its latest value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import scipp as sc

from ..core.timestamp import Timestamp


class TimeseriesWorkflow:
    """Input is the cumulative NXlog DataArray (dim ``time``) of one log stream."""

    def __init__(self, *, source_name: str) -> None:
        self._source = source_name
        self._history: sc.DataArray | None = None

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        history = data.get(self._source)
        if history is not None:
            self._history = history

    def finalize(self) -> dict[str, sc.DataArray]:
        if self._history is None or self._history.sizes["time"] == 0:
            return {}
        latest = self._history["time", -1].copy()
        latest.coords["sample_time"] = latest.coords.pop("time")
        return {"timeseries": self._history, "latest": latest}

    def clear(self) -> None:
        self._history = None
