"""``livedata bench detector``: a real subprocess with small settings."""

import json

import pytest

from tests.cli.helpers import invoke, run_cli


def test_bench_detector_json_last_line_reports_what_was_histogrammed():
    done = run_cli(
        "bench",
        "detector",
        "--pulses",
        "14",
        "--events-per-pulse",
        "1000",
        "--json",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    report = json.loads(lines[-1])
    assert report["events_per_s"] > 0
    assert report["results_published"] > 0
    # One whole window was timed: every event sent was histogrammed, no more.
    assert report["events"] == report["events_sent"] == 14 * 1000
    assert report["pulses"] == 14
    assert report["dropped_events"] == 0
    assert report["ns_per_event"] == pytest.approx(1e9 / report["events_per_s"])
    assert "events histogrammed in" in lines[0]


def test_bench_detector_rejects_pulses_that_are_not_whole_seconds():
    result = invoke("bench", "detector", "--pulses", "15")
    assert result.exit_code != 0
    assert "multiple of 14" in result.output
