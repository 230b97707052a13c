"""The essreduce-vs-kernel benchmark still runs (tiny settings) and reports JSON."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "essreduce_live_view.py"


def test_benchmark_reports_all_three_variants_per_core():
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--pulses",
            "2",
            "--events-per-pulse",
            "2000",
            "--repeats",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["events_per_s"]) == {
        "essreduce_image",
        "essreduce_image_and_roi_spectrum",
        "livedata_kernel",
    }
    assert all(rate > 0 for rate in report["events_per_s"].values())
    assert report["goal"] == 1e8
    assert report["cores"] == 1
