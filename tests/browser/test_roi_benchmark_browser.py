"""The drag-to-readback benchmark still runs (two drags) and reports JSON."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "roi_browser_latency.py"

pytestmark = pytest.mark.slow


def test_every_drag_is_confirmed_in_the_page():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--repeats", "2", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["misses"] == 0
    assert report["drag_to_readback_drawn"]["n"] == 2
    # Not the bar (a shared host is too noisy for it), but a sane bound:
    # nothing waits for a second window plus a full timeout.
    assert report["drag_to_readback_drawn"]["max"] < 5.0
