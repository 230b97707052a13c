"""Browser windows that a benchmark measures without a driver attached.

Playwright instruments every page it drives: each websocket frame is copied,
base64, through the browser's DevTools session to its node driver and on to
the Python client, and the pages run with its emulation and bindings. On the
plot-server load (4 sessions, 2 cores) that cost about half a core of the CPU
the server and the pages were being measured with: renderers 55 % -> 36 % of
a core, and the browser process, the driver and the client ~25 % more
(``/proc``, 20 s, same code). So a benchmark opens plain Chromium windows
(Debian's package, headless, one visible window per session, as operators
would each have one), connects only to open them and to read the pages'
figures, and is detached while the load runs.

Chromium has no command-line way to open several windows in headless mode;
DevTools' ``Target.createTarget`` with ``newWindow`` does.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
# Headless and offline: the one set of flags for every Chromium the benchmarks
# and the browser tests (tests/browser/conftest.py) start.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ChromiumWindows:
    """A Chromium process with one window per session, opened over DevTools."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.profile = Path(tempfile.mkdtemp(prefix="bench-chromium-"))
        self.process: subprocess.Popen | None = None
        self.endpoint = ""

    def __enter__(self) -> ChromiumWindows:
        # Gone with the benchmark, however it ends (setpriv: Linux's
        # PR_SET_PDEATHSIG), as the broker and the plot server are.
        setpriv = shutil.which("setpriv")
        self.process = subprocess.Popen(
            [
                *([setpriv, "--pdeathsig", "TERM"] if setpriv else []),
                CHROMIUM,
                *FLAGS,
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        self.endpoint = f"http://127.0.0.1:{port_file.read_text().split()[0]}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def open(
        self, driver: Any, url: str, count: int, wait_opened: Callable[[int], None]
    ) -> None:
        """``count`` windows on ``url``, each sized so its page is width x height.

        ``wait_opened(n)`` returns once the server has ``n`` sessions: the
        windows open one at a time, as people would open them."""
        browser = self.connect(driver)
        cdp = browser.new_browser_cdp_session()
        size = {"width": self.width, "height": self.height}
        # A window's frame takes some of its size: measured on a blank one.
        blank = "about:blank#livedata-bench"
        probe = cdp.send(
            "Target.createTarget", {"url": blank, "newWindow": True, **size}
        )
        deadline = time.monotonic() + 60
        while not (pages := self.pages(browser, blank)):
            if time.monotonic() > deadline:
                raise SystemExit("chromium opened no window")
            cdp.send("Target.getTargets")  # lets the driver take in the new page
        width, height = pages[0].evaluate("[innerWidth, innerHeight]")
        cdp.send("Target.closeTarget", probe)
        sized = {"width": 2 * self.width - width, "height": 2 * self.height - height}
        for n in range(1, count + 1):
            cdp.send("Target.createTarget", {"url": url, "newWindow": True, **sized})
            wait_opened(n)
        browser.close()  # disconnects; the windows stay

    def connect(self, driver: Any) -> Any:
        """The browser through DevTools (``disconnect`` leaves its windows open)."""
        return driver.chromium.connect_over_cdp(self.endpoint)

    @staticmethod
    def pages(browser: Any, url: str) -> list[Any]:
        """The pages of ``browser`` (connected) whose address starts with ``url``."""
        return [p for c in browser.contexts for p in c.pages if p.url.startswith(url)]
