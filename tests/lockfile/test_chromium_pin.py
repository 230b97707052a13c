"""The browser the browser tests drive is pinned like the Python packages:
``.ci/run`` installs the Debian package version in ``.ci/chromium.version`` or,
once Debian's security archive has replaced that build, the newest build of the
same major release; the one installed here is of that release."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = (ROOT / ".ci" / "chromium.version").read_text().strip()


def major(version: str) -> str:
    return version.split(".", 1)[0]


def test_ci_installs_the_pinned_chromium():
    assert re.fullmatch(r"\d+(\.\d+)+-[\w.~+]+", PIN), PIN
    run = (ROOT / ".ci" / "run").read_text()
    assert "$(cat .ci/chromium.version)" in run
    assert '"chromium=$chromium_want"' in run
    # The fallback stays inside the pinned major release.
    assert 'grep "^$chromium_major\\."' in run


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian host")
def test_the_installed_chromium_is_of_the_pinned_release():
    installed = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "chromium"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert installed and major(installed) == major(PIN), (
        f"chromium {installed or 'not installed'} here, {PIN} pinned: "
        "run .ci/run, or update .ci/chromium.version after testing"
    )
