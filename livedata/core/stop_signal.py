"""A stop request that signal handlers may set.

``threading.Event.set()`` takes the event's internal lock. A Python signal handler
runs on the main thread between two bytecodes, possibly while that same thread is
inside ``Event.wait()`` holding the lock: the handler then waits for itself forever
and the process never stops (seen in CI: a service idling in ``wait()`` ignored
SIGTERM). ``StopSignal`` is set by a plain assignment plus one ``os.write`` to a
pipe, which take no Python lock; waiting is a ``select`` on the pipe, so any
number of threads wake at once. The standard library has no signal-safe event
(``signal.set_wakeup_fd`` is process-wide and asyncio claims it), hence this class.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from collections.abc import Callable, Iterable
from typing import Protocol


class StopFlag(Protocol):
    """What loops that run until asked to stop need (``threading.Event`` fits)."""

    def is_set(self) -> bool: ...

    def set(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class StopSignal:
    """A one-way flag: once set it stays set; safe to set from signal handlers."""

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)
        self._set = False

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        if self._set:
            return
        self._set = True
        with contextlib.suppress(OSError):  # closed, or already full of wake-ups
            os.write(self._write_fd, b"!")

    def wait(self, timeout: float | None = None) -> bool:
        """True once set; False when ``timeout`` seconds passed first."""
        if self._set:
            return True
        poller = select.poll()  # not select(): no FD_SETSIZE limit
        poller.register(self._read_fd, select.POLLIN)
        with contextlib.suppress(OSError):
            poller.poll(None if timeout is None else max(0.0, timeout) * 1000)
        return self._set

    def close(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._read_fd = self._write_fd = -1

    def __del__(self) -> None:
        if self._write_fd >= 0:
            self.close()


def stop_on_signals(
    stop: StopSignal,
    signals: Iterable[signal.Signals] = (signal.SIGINT, signal.SIGTERM),
) -> Callable[[], None]:
    """Route ``signals`` to ``stop.set()``; returns a function that restores the
    previous handlers (call it only from the main thread)."""
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in signals}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
