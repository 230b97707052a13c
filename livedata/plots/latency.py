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
from collections import deque

STAGES = ("received", "computed", "rendered", "batched")
KEEP = 20_000  # lags per stage (a 10-minute benchmark at 4 sessions fits)


class StageLags:
    """Thread-safe: the pump, the updater and the sessions' callbacks note."""

    def __init__(self, keep: int = KEEP) -> None:
        self._lock = threading.Lock()
        self._lags = {stage: deque(maxlen=keep) for stage in STAGES}

    def note(self, stage: str, time_ms: float, at_s: float | None = None) -> None:
        """``stage`` reached by a frame of data time ``time_ms`` (now, or at
        wall clock ``at_s``); frames without a data time are not counted."""
        if not math.isfinite(time_ms):
            return
        wall = time.time() if at_s is None else at_s
        with self._lock:
            self._lags[stage].append((time.monotonic(), wall * 1000 - time_ms))

    def summary(self, window_s: float) -> dict[str, dict[str, float | int | None]]:
        """Per stage, over the last ``window_s`` seconds: count, median, p90 (ms)."""
        since = time.monotonic() - window_s
        with self._lock:
            taken = {
                s: [lag for at, lag in q if at >= since] for s, q in self._lags.items()
            }
        return {stage: spread(lags) for stage, lags in taken.items()}


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
