"""Hand the heap's free pages back to the operating system, once a minute.

glibc's malloc gives an allocation of at least its mmap threshold a mapping of
its own; smaller ones come from the heap, which keeps freed space for reuse and
on its own returns only the free space at its top. The threshold starts at
128 KiB but rises to the size of each mapped block freed, so once the first
images are freed, the plot server's image arrays (a 512x512 float64 frame is
2 MiB, copied by the plotter, the colour mapping and each session's presenter)
come from the heap, and the free space between them stays resident. Measured on
the 10-minute, 4-session benchmark: Python objects and the memory in use stayed
flat (~350 000 objects, ~47 MB) while the heap grew from 116 to 132 MB around
~80 MB it held free, and the server's RSS from 242 to 256 MB.

Giving large arrays mappings of their own (``mallopt``) kept the RSS flat but
cost ~9 % of a core and ~70 ms of latency (a page fault per 4 KiB of every new
array); ``malloc_trim`` once a minute releases the free pages inside the heap
too (glibc >= 2.8) and the arrays keep reusing the heap between trims. No
library exposes either call; ctypes into glibc is all it takes, and elsewhere
(musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import time
from collections.abc import Callable

TRIM_PERIOD_S = 60.0


@functools.cache
def _glibc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the heap's free pages now; False where malloc is not glibc's."""
    trim = _glibc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class PeriodicTrim:
    """A tick hook: ``release`` at most once per ``period_s``."""

    def __init__(
        self,
        period_s: float = TRIM_PERIOD_S,
        release: Callable[[], bool] = release_free_memory,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._period_s = period_s
        self._release = release
        self._clock = clock
        self._last = clock()
        self.trims = 0

    def __call__(self) -> None:
        now = self._clock()
        if now - self._last < self._period_s:
            return
        self._last = now
        if self._release():
            self.trims += 1
