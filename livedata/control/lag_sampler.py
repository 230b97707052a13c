"""Broker-measured lag for the console, sampled off the pump thread.

Reading committed offsets and record times is network I/O: done here, every
``interval_s``, never while building a snapshot. Heartbeats still reach the
probe from the pump (they name each service's consumer group).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .lag import LagProbe
from .snapshots import LagRow

logger = logging.getLogger(__name__)


class LagSampler:
    """Samples a :class:`LagProbe` on its own thread; ``rows`` is the latest."""

    def __init__(
        self,
        probe: LagProbe,
        on_sample: Callable[[], None],
        interval_s: float = 2.0,
    ) -> None:
        self._probe = probe
        self._on_sample = on_sample
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._rows: tuple[LagRow, ...] = ()
        self._thread = threading.Thread(target=self._run, name="lag", daemon=True)

    @property
    def rows(self) -> tuple[LagRow, ...]:
        return self._rows

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        self._probe.close()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._rows = self._probe.sample()
                failures = 0
            except Exception as error:  # a broker away: keep the last rows
                failures += 1
                if failures == 1:
                    logger.warning("lag sample failed: %s", error)
            self._on_sample()
            self._stop.wait(self._interval_s)
