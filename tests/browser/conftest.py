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

from benchmarks.chromium_windows import CHROMIUM
from benchmarks.chromium_windows import FLAGS as CHROMIUM_FLAGS

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
        args=CHROMIUM_FLAGS,
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


@pytest.fixture(scope="package")
def event_system(tmp_path_factory):
    """A broker, ``detector_data`` and ``timeseries`` services and the known
    event and motor feeds of ``system.py``, with the panel job
    (dummy/panel_0_xy/2) and the motors' job (dummy/timeseries_data/2) running."""
    from livedata.control.quick import wait_for_services
    from livedata.instruments import get_instrument
    from livedata.kafka.broker import EmbeddedBroker
    from livedata.services.topics import create_instrument_topics
    from tests.cli.helpers import run_cli
    from tests.integration.helpers import Listener, start_service, stop_service

    from .system import EventFeed, EventSystem, Motors

    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap
        report = create_instrument_topics(get_instrument("dummy"), bootstrap)
        assert report.ok, report
        services = [
            start_service(name, bootstrap) for name in ("detector_data", "timeseries")
        ]
        feed = EventFeed(bootstrap)
        motors = Motors(bootstrap)
        listener = Listener(bootstrap)
        try:
            missing = wait_for_services(
                "dummy", bootstrap, ["detector_data", "timeseries"], timeout=90
            )
            assert not missing, f"no heartbeat from {missing}"
            motors.move(-60.0, -120.0)
            env = {
                "LIVEDATA_KAFKA_BOOTSTRAP": bootstrap,
                "LIVEDATA_INSTRUMENT": "dummy",
            }
            jobs = {}
            for workflow in ("dummy/panel_0_xy/2", "dummy/timeseries_data/2"):
                started = run_cli(
                    "job", "start", "--workflow", workflow, "--timeout", "30", env=env
                )
                assert started.returncode == 0, started.stderr
                jobs[workflow] = started.stdout.split()
            (panel_job,) = jobs["dummy/panel_0_xy/2"]
            yield EventSystem(bootstrap, listener, motors, panel_job)
        finally:
            listener.close()
            feed.stop()
            motors.close()
            for proc in services:
                stop_service(proc)


@pytest.fixture
def event_plots(event_system, tmp_path):
    """Plot servers of this test on the event system, sharing one state dir:
    ``start(*args) -> (url, process)``; a second start is a restart."""
    from livedata.control.plots_process import PlotsProcess

    started: list[PlotsProcess] = []

    def start(*args: str) -> tuple[str, PlotsProcess]:
        process = PlotsProcess(
            "dummy",
            event_system.bootstrap,
            extra_args=["--state-dir", str(tmp_path / "state"), *args],
            log_path=str(tmp_path / f"plots-{len(started)}.log"),
        )
        started.append(process)
        return process.start(), process

    yield start
    for process in started:
        process.stop()
