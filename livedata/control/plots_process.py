"""The plot server as a child process, for the console and ``livedata demo --plots``.

``PlotsProcess`` runs ``livedata plots`` (its own process: Panel never enters
the caller's) and reads the URL from the child's first ``plots`` line. The
child holds on to its parent (``livedata.lifeline``), so it also ends should
the parent die hard; ``stop`` ends it gracefully (SIGINT, then SIGKILL).
Standard library only: the console imports this on start-up.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

# The child holds on to its parent when this is set (livedata/cli/lifeline.py,
# read by the CLI's entry point); the control layer cannot import the CLI.
PARENT_PID_ENV = "LIVEDATA_PARENT_PID"
URL_PREFIX = "plots       "
START_TIMEOUT_S = 60.0


class PlotsLauncher(Protocol):
    """What the console needs of a plot server it starts on demand."""

    url: str | None

    def launch(self) -> None: ...

    def wait_url(self, timeout: float = START_TIMEOUT_S) -> str: ...

    def url_for(self, workflow_id: str, output: str, source: str) -> str | None: ...

    def stop(self, timeout: float = 10.0) -> int | None: ...


class PlotsStartError(RuntimeError):
    """The plot server did not come up; the message says why in one line."""


class PlotsProcess:
    """``livedata plots`` as a child process: launched once, its URL read from
    its output, stopped with its owner (implements ``PlotsLauncher``)."""

    def __init__(
        self,
        instrument: str,
        bootstrap: str,
        *,
        extra_args: Sequence[str] = (),
        log_path: str | None = None,
    ) -> None:
        self.instrument = instrument
        self.bootstrap = bootstrap
        self.extra_args = tuple(extra_args)
        self.log_path = log_path
        self.url: str | None = None
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = START_TIMEOUT_S) -> str:
        """Launch (once) and wait for the URL; ``PlotsStartError`` if it fails."""
        self.launch()
        return self.wait_url(timeout)

    def launch(self) -> None:
        """Start the child without waiting. Call it on a thread that lives as
        long as the child should (the kernel's parent-death signal follows the
        thread that forked), e.g. the UI's main thread; wait elsewhere."""
        with self._lock:
            if self.running:
                return
            args = [
                sys.executable,
                "-m",
                "livedata",
                "plots",
                "--instrument",
                self.instrument,
                "--bootstrap",
                self.bootstrap,
                *self.extra_args,
            ]
            log = open(self.log_path, "wb") if self.log_path else subprocess.PIPE  # noqa: SIM115
            self.url = None
            self._proc = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
                env={**os.environ, PARENT_PID_ENV: str(os.getpid())},
            )
            self._lines: queue.Queue[str | None] = queue.Queue()
            threading.Thread(
                target=_read, args=(self._proc.stdout, self._lines), daemon=True
            ).start()

    def wait_url(self, timeout: float = START_TIMEOUT_S) -> str:
        """The URL once the child printed it; ``PlotsStartError`` otherwise."""
        if self.url is not None:
            return self.url
        proc = self._proc
        if proc is None:
            raise PlotsStartError("the plot server was not started")
        try:
            while True:
                line = self._lines.get(timeout=timeout)
                if line is None:
                    break
                if line.startswith(URL_PREFIX):
                    self.url = line[len(URL_PREFIX) :].strip()
                    return self.url
        except queue.Empty:
            self._kill()
            raise PlotsStartError(
                f"the plot server printed no URL within {timeout:.0f} s"
            ) from None
        code = proc.wait()
        raise PlotsStartError(f"the plot server exited ({code}): {self._why()}")

    def _why(self) -> str:
        if self._proc is not None and self._proc.stderr is not None:
            text = self._proc.stderr.read().decode(errors="replace").strip()
            errors = [ln for ln in text.splitlines() if ln.startswith("error:")]
            return (errors or text.splitlines() or ["no message"])[-1]
        return f"see {self.log_path}"

    def url_for(self, workflow_id: str, output: str, source: str) -> str | None:
        """The URL of a page showing one output of one source."""
        if self.url is None:
            return None
        parts = urlsplit(self.url)
        query = urlencode({"workflow": workflow_id, "output": output, "source": source})
        joined = f"{parts.query}&{query}" if parts.query else query
        return urlunsplit(parts._replace(query=joined))

    def stop(self, timeout: float = 10.0) -> int | None:
        with self._lock:
            proc, self._proc, self.url = self._proc, None, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                return proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
        return proc.wait()

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


def _read(stream, lines: queue.Queue) -> None:
    for raw in iter(stream.readline, b""):
        lines.put(raw.decode(errors="replace"))
    lines.put(None)
