"""Browser tests: the plot server in Debian's Chromium, driven by Playwright.

A whole demo system runs once per session (embedded broker, real services and
fakes as subprocesses, and ``livedata plots`` spawned by ``demo --plots``);
tests that need their own plot server (session timeout, access control) start
one on the same broker. Chromium is ``/usr/bin/chromium`` (never a downloaded
build; ``.ci/run`` installs the Debian package), each test in a fresh profile.
Screenshots are kept in ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="package")
def playwright_driver():
    """Playwright's sync API keeps an asyncio loop running in the main thread
    while it lives: package scope ends it before other packages' tests, whose
    ``asyncio.run`` (the console's Pilot tests) would refuse to start."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright_driver, tmp_path):
    """A Chromium with a fresh user data dir; pages via ``browser.new_page()``."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1400, "height": 1000},
    )
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="package")
def demo_system(tmp_path_factory):
    """``livedata demo --no-tui --plots`` for dummy: (bootstrap, plots URL)."""
    log = tmp_path_factory.mktemp("demo") / "demo.err"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "livedata", "demo", "--no-tui", "--plots"],
            stdout=subprocess.PIPE,
            stderr=err,
            start_new_session=True,
        )
    seen: dict[str, str] = {}
    deadline = time.monotonic() + 180
    while "logs" not in seen and time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if not line:
            break
        head, _, rest = line.partition(" ")
        seen[head] = rest.strip()
    try:
        assert "plots" in seen, f"demo printed {seen}; {log.read_text()[-2000:]}"
        bootstrap = seen["broker"].split()[0]
        yield bootstrap, seen["plots"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def plots_server(demo_system, tmp_path):
    """Start a plot server of our own on the demo's broker: ``start(*args)``."""
    from livedata.control.plots_process import PlotsProcess

    started: list[PlotsProcess] = []

    def start(*args: str) -> tuple[str, PlotsProcess]:
        process = PlotsProcess(
            "dummy",
            demo_system[0],
            extra_args=["--state-dir", str(tmp_path / "state"), *args],
            log_path=str(tmp_path / f"plots-{len(started)}.log"),
        )
        started.append(process)
        return process.start(), process

    yield start
    for process in started:
        process.stop()


def shot(page_or_locator, name: str) -> Path:
    """Save a screenshot as a test artifact; its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page_or_locator.screenshot(path=str(path))
    return path
