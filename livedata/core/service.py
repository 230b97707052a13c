"""The OS-level life of a service: loop, signals, graceful stop, exit code (B1, G4)."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from .job import one_line_error
from .stop_signal import StopSignal, stop_on_signals

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1


class Processor(Protocol):
    """What a ``Service`` drives; ``OrchestratingProcessor`` in production."""

    def process(self) -> int: ...

    def shutdown(self) -> None: ...

    def finalize_and_report_stopped(self) -> None: ...

    def report_error(self, error: str) -> None: ...


class Service:
    """Runs ``processor.process()`` on the calling thread until asked to stop.

    SIGTERM and SIGINT (when ``run`` is called on the main thread) and ``stop()``
    (from any thread) all request the same graceful stop. The loop sleeps only
    after a cycle that found no messages, so a busy service never idles.
    """

    def __init__(
        self,
        processor: Processor,
        name: str,
        poll_interval: float = 0.05,
        stop: StopSignal | None = None,
    ) -> None:
        self._processor = processor
        self.name = name
        self._poll_interval = poll_interval
        # Given when signals were routed to it before the service existed.
        self._stop_requested = stop or StopSignal()
        self._announce_lock = threading.Lock()
        self._announced = False

    def stop(self) -> None:
        """Request a graceful stop; safe from any thread and from signal handlers."""
        self._stop_requested.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested.is_set()

    @property
    def stop_event(self) -> StopSignal:
        """Set once a stop was requested (for a :class:`ShutdownDeadline`)."""
        return self._stop_requested

    def run(self) -> int:
        """Process until stopped; 0 after a graceful stop, 1 after an error."""
        on_main_thread = threading.current_thread() is threading.main_thread()
        restore = stop_on_signals(self._stop_requested) if on_main_thread else None
        try:
            return self._loop()
        finally:
            if restore is not None:
                restore()

    def _announce_stopping(self) -> bool:
        """Log ``stopping`` once, from whichever thread sees the stop first."""
        with self._announce_lock:
            if self._announced:
                return False
            self._announced = True
        logger.info("service %s stopping", self.name)
        return True

    def _keep_alive(self, done: threading.Event) -> None:
        """Beat while a cycle is slow, and say ``stopping`` as soon as a stop is
        asked for, even in the middle of a long reduction."""
        keep_alive = getattr(self._processor, "keep_alive", None)
        announce = getattr(self._processor, "announce_stopping", None)
        while not done.wait(0.25):
            try:
                if self._stop_requested.is_set():
                    if self._announce_stopping() and announce is not None:
                        announce()
                elif keep_alive is not None:
                    keep_alive()
            except Exception as error:  # the watchdog must never die silently
                logger.warning("heartbeat watchdog: %s", one_line_error(error))

    def _loop(self) -> int:
        logger.info("service %s running", self.name)
        if hasattr(self._processor, "should_stop"):
            self._processor.should_stop = self._stop_requested.is_set
        done = threading.Event()
        watchdog = threading.Thread(
            target=self._keep_alive, args=(done,), name="heartbeat", daemon=True
        )
        watchdog.start()
        try:
            return self._run_loop()
        finally:
            done.set()

    def _run_loop(self) -> int:
        try:
            while not self._stop_requested.is_set():
                if self._processor.process() == 0:
                    self._stop_requested.wait(self._poll_interval)
            self._announce_stopping()
            self._processor.shutdown()
            self._processor.finalize_and_report_stopped()
        except Exception as error:  # the service's last word before exiting
            reason = one_line_error(error)
            logger.exception("service %s failed: %s", self.name, reason)
            try:
                self._processor.report_error(reason)
            except Exception:
                logger.exception("service %s: could not report the error", self.name)
            return EXIT_ERROR
        logger.info("service %s stopped", self.name)
        return EXIT_OK
