"""Where a frame's publish-to-paint time goes, stage by stage, on the server.

Every stage a frame passes is noted as its lag behind the frame's data time
(the ``time`` the service stamps on a result when it publishes it, wall clock
ms): ``received`` (the pump has decoded and stored it), ``computed`` (the
updater has run the plotter's stage 1), ``rendered`` (a session's presenter
has copied it into its Bokeh models) and ``batched`` (that session's whole
batch is drawn and handed to Bokeh, which serialises it and writes it to the
websocket). The page adds the browser's share (``paint_probe.LATENCY_JS``): from
``batched`` to the page's model is serialising, sending and decoding. Lags of one frame grow stage by
stage, so the differences of the medians say which stage costs the time;
benchmarks and operators read the summary from ``/livedata/sessions``.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

STAGES = ("received", "computed", "rendered", "batched")
KEEP = 20_000  # lags per stage (a 10-minute benchmark at 4 sessions fits)


class StageLags:
    """Thread-safe: the pump, the updater and the sessions' callbacks note.

    Each stage keeps its last ``keep`` lags in arrays allocated up front, so
    the record takes the same memory (2 x 8 bytes a lag, 1.3 MB in all) from
    the first frame to the millionth: a record that fills as it runs would
    look like a leak in the server's memory over its first minutes."""

    def __init__(self, keep: int = KEEP) -> None:
        self._lock = threading.Lock()
        self._keep = keep
        # Per stage: monotonic time noted (NaN: empty slot), lag (ms).
        self._at = {stage: np.full(keep, np.nan) for stage in STAGES}
        self._lag = {stage: np.zeros(keep) for stage in STAGES}
        self._next = dict.fromkeys(STAGES, 0)

    def note(self, stage: str, time_ms: float, at_s: float | None = None) -> None:
        """``stage`` reached by a frame of data time ``time_ms`` (now, or at
        wall clock ``at_s``); frames without a data time are not counted."""
        if not math.isfinite(time_ms):
            return
        wall = time.time() if at_s is None else at_s
        with self._lock:
            slot = self._next[stage]
            self._at[stage][slot] = time.monotonic()
            self._lag[stage][slot] = wall * 1000 - time_ms
            self._next[stage] = (slot + 1) % self._keep

    def summary(self, window_s: float) -> dict[str, dict[str, float | int | None]]:
        """Per stage, over the last ``window_s`` seconds: count, median, p90 (ms)."""
        since = time.monotonic() - window_s
        with self._lock:
            taken = {s: self._lag[s][self._at[s] >= since] for s in STAGES}
        return {stage: spread(lags.tolist()) for stage, lags in taken.items()}


def spread(values: list[float]) -> dict[str, float | int | None]:
    """Count, median and 90th percentile (nearest rank), rounded to 0.1."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "median": None, "p90": None}
    return {
        "count": len(ordered),
        "median": round(ordered[len(ordered) // 2], 1),
        "p90": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 1),
    }
