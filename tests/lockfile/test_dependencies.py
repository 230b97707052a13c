"""A release outside the tested range is named with the fix, not ignored."""

from __future__ import annotations

import io
import subprocess
import sys

from livedata.core import dependencies
from livedata.core.dependencies import mismatches


def test_ranges_come_from_the_installed_metadata():
    ranges = dependencies.tested_ranges()
    assert ranges["textual"] == "<9,>=8.0"
    assert ranges["scipp"] == "<27,>=26.0"


def test_a_release_outside_its_range_is_reported_with_the_tested_range():
    (found,) = mismatches(["textual"], {"textual": ">=9,<10"})
    assert found.name == "textual"
    assert found.installed.startswith("8.")
    line = found.message("console")
    assert "textual 8." in line and "textual>=9,<10" in line and "make venv" in line


def test_a_missing_package_is_reported_and_one_in_range_is_not():
    assert mismatches(["textual"]) == []
    (missing,) = mismatches(["no-such-dist"], {"no-such-dist": ">=1"})
    assert missing.installed is None
    assert "not installed" in missing.message("plots")


def test_the_warning_is_one_line_per_package(monkeypatch):
    monkeypatch.setattr(dependencies, "tested_ranges", lambda: {"textual": ">=99"})
    out = io.StringIO()
    assert len(dependencies.warn_if_untested("console", out)) == 1
    assert out.getvalue().count("\n") == 1 and out.getvalue().startswith("warning: ")


def test_the_version_report_lists_the_key_packages():
    done = subprocess.run(
        [sys.executable, "-m", "livedata.core.dependencies"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {line.split()[0] for line in done.stdout.splitlines()}
    assert {"python", "numpy", "scipp", "textual", "confluent-kafka"} <= names
    assert "outside" not in done.stdout
