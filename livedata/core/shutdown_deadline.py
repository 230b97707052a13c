"""A deadline for a graceful stop: a service that hangs on SIGTERM is worse than
one that exits uncleanly, because systemd (or an operator) kills it anyway later,
without anyone learning where it hung (G4)."""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
from collections.abc import Callable

from .stop_signal import StopFlag

logger = logging.getLogger(__name__)


class ShutdownDeadline:
    """Once ``stop_requested`` is set, the process has ``seconds`` to call
    :meth:`disarm`; past that, every thread's stack goes to stderr and the
    process exits with code 1."""

    def __init__(
        self,
        stop_requested: StopFlag,
        seconds: float,
        *,
        exit_process: Callable[[int], object] = os._exit,
    ) -> None:
        self._stop_requested = stop_requested
        self._seconds = seconds
        self._exit = exit_process
        self._disarmed = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name="shutdown-deadline", daemon=True
        )

    def start(self) -> ShutdownDeadline:
        self._thread.start()
        return self

    def disarm(self) -> None:
        """The stop completed (or the process is exiting on its own)."""
        self._disarmed.set()
        self._stop_requested.set()  # wake the watcher so it ends

    def _watch(self) -> None:
        self._stop_requested.wait()
        if self._disarmed.wait(self._seconds):
            return
        logger.error(
            "graceful stop took longer than %.0f s; exiting with stacks on stderr",
            self._seconds,
        )
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        self._exit(1)
