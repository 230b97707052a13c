"""The plot server hands the heap's free pages back to the operating system.

Measured in a fresh interpreter: 100 image-sized arrays, each followed by
small allocations that stay, are freed; the memory the process still holds
shows whether the free space between the small ones went back."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from livedata.plots.heap import PeriodicTrim

PROBE = """
import sys
import numpy as np
from livedata.plots.heap import release_free_memory

def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

first = np.ones(2**18); del first  # a freed 2 MiB mapping: glibc's threshold rises
before = rss_mb()
arrays, kept = [], []
for _ in range(100):
    arrays.append(np.ones(2**18))  # 2 MiB, a 512x512 float64 image
    kept.extend(bytearray(4096) for _ in range(64))  # 256 KiB that stays
del arrays
if sys.argv[1] == "trimmed":
    assert release_free_memory()
print(rss_mb() - before)
"""

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's")


def held_mb(mode: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return float(done.stdout)


@glibc
def test_freed_image_arrays_go_back_when_trimmed():
    # What stays is the small allocations (100 x 256 KiB = 25 MiB), not 200 MiB of images.
    assert held_mb("trimmed") < 40


@glibc
def test_without_a_trim_the_heap_holds_them():
    """The behaviour it corrects (so the test above can tell the difference)."""
    assert held_mb("untrimmed") > 150


def test_trims_at_most_once_a_period():
    now = [0.0]
    released = []
    trim = PeriodicTrim(
        60.0, release=lambda: released.append(now[0]) or True, clock=lambda: now[0]
    )
    for now[0] in (1.0, 30.0, 59.9, 60.0, 61.0, 119.9, 120.5, 500.0):
        trim()
    assert released == [60.0, 120.5, 500.0]
    assert trim.trims == 3
