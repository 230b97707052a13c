"""Named counters: nothing is dropped or fails without being counted (A11, G3)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import Any


class Counters:
    """Thread-safe monotonically increasing counters, read as snapshots.

    Counter names are short snake_case phrases an operator can read in a
    heartbeat, e.g. ``dropped_unknown_stream`` or ``finalize_errors``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def increment(self, name: str, by: int = 1) -> None:
        with self._lock:
            self._counts[name] += by

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


def log_sparsely(
    logger: logging.Logger, counters: Counters, name: str, text: str, *args: Any
) -> None:
    """Count, and log the first and then every 1000th occurrence of ``name``."""
    counters.increment(name)
    count = counters.get(name)
    if count == 1 or count % 1000 == 0:
        logger.warning("%s (#%d) " + text, name, count, *args)
