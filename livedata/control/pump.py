"""The background thread between a transport and the control-plane stores.

Clients never block on Kafka (D3): this thread polls, hands every batch to a
dispatch function and runs a periodic ``tick`` (staleness, timeouts). Nothing it
meets may kill it: errors are counted and logged, and it polls on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..core.message import Message
from ..core.metrics import Counters
from .transport import Transport

logger = logging.getLogger(__name__)


class MessagePump:
    """Polls a transport on a background thread and dispatches what arrives."""

    def __init__(
        self,
        transport: Transport,
        dispatch: Callable[[list[Message[Any]]], None],
        *,
        tick: Callable[[], None] | None = None,
        poll_timeout: float = 0.1,
        counters: Counters | None = None,
    ) -> None:
        self._transport = transport
        self._dispatch = dispatch
        self._tick = tick
        self._poll_timeout = poll_timeout
        self.counters = counters if counters is not None else Counters()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def pump_once(self, timeout: float = 0.0) -> int:
        """One poll, dispatch and tick; returns how many messages were dispatched."""
        try:
            messages = self._transport.poll(timeout)
        except Exception as error:
            self._count_error("poll", error)
            return 0
        try:
            if messages:
                self._dispatch(messages)
            if self._tick is not None:
                self._tick()
        except Exception as error:
            self._count_error("dispatch", error)
        return len(messages)

    def _count_error(self, where: str, error: Exception) -> None:
        self.counters.increment(f"pump_{where}_errors")
        logger.warning(
            "control pump %s failed: %s: %s", where, type(error).__name__, error
        )

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name="livedata-control-pump", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            before = self.counters.get("pump_poll_errors")
            self.pump_once(self._poll_timeout)
            if self.counters.get("pump_poll_errors") != before:
                time.sleep(self._poll_timeout)  # a broken transport must not spin

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
