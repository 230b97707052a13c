"""A detector view of a pixelated beam monitor (heavy: NumPy via the view).

Some monitors say which of their pixels each event hit (ev44 with pixel ids,
``MonitorEvents.pixel_id``); the facility's ``monitor_counts_per_pixel`` shows
them as an image. This wrapper hands such events to a detector view as
``DetectorEvents``; events of a monitor that sent no pixel ids land on pixel 0,
outside every view, so the view counts them as bad pixel ids instead of
guessing where they hit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core.events import DetectorEvents, MonitorEvents
from ..core.timestamp import Timestamp
from ..core.workflow import take_dropped_events


def as_detector_events(chunk: MonitorEvents) -> DetectorEvents:
    pixels = chunk.pixel_id
    if pixels is None:
        pixels = np.zeros(len(chunk), dtype=np.int32)
    return DetectorEvents(pixels, chunk.time_of_arrival)


class MonitorPixelsWorkflow:
    """Feeds ``inner`` (a detector view on ``source_name``) a monitor's events."""

    def __init__(self, inner: Any, source_name: str) -> None:
        self._inner = inner
        self._source = source_name

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        chunks = data.get(self._source)
        if chunks is not None:
            if isinstance(chunks, MonitorEvents):
                chunks = (chunks,)
            data = {**data, self._source: [as_detector_events(c) for c in chunks]}
        self._inner.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, Any]:
        return self._inner.finalize()

    def clear(self) -> None:
        self._inner.clear()

    def take_dropped_events(self) -> Mapping[str, int]:
        return take_dropped_events(self._inner)
