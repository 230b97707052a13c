"""The console in a real terminal (tmux) against the real demo: what an operator sees.

Pilot tests drive the app in-process on the real plane over the in-memory bus;
these run ``livedata demo`` and ``livedata tui`` as commands in a detached tmux
session of fixed size and read the screen with ``capture-pane``, so the terminal
driver, the Kafka-backed plane, the embedded broker and the graceful shutdown all
take part, also when the terminal itself goes away.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.timeout(600),
]

WIDTH, HEIGHT = 140, 40
SERVICES = ("data_reduction", "detector_data", "monitor_data", "timeseries")
DEFAULT_JOBS = (
    "panel_0_xy",
    "area_panel_xy",
    "monitor_histogram",
    "timeseries_data",
    "total_counts",
)
STARTUP_S = 150  # broker, four services, fakes and jobs on a slow, shared machine
COMMAND_LINE = "(Tab completes)"  # the open command line's placeholder
REPO = Path(__file__).resolve().parents[2]


class Terminal:
    """One tmux server on a private socket running one command in a fixed-size pane."""

    def __init__(self, command: str, cwd: Path) -> None:
        self.socket = f"livedata-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TERM": "xterm-256color"}
        # -f /dev/null: no user config; remain-on-exit keeps the last screen
        # (where the demo prints "demo stopped") readable after the command ends.
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", "t",
            "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(cwd), command,
            ";", "set-option", "-t", "t", "remain-on-exit", "on",
            env=env,
        )  # fmt: skip
        self._socket_path = Path(
            self._tmux("display-message", "-p", "#{socket_path}").strip()
        )

    def _tmux(self, *args: str, env: dict | None = None) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {done.stderr.strip()}")
        return done.stdout

    def screen(self, scrollback: bool = False) -> str:
        extra = ("-S", "-") if scrollback else ()
        return self._tmux("capture-pane", "-p", "-t", "t", *extra)

    def keys(self, *keys: str) -> None:
        """tmux key names, e.g. ``Space``, ``Enter``, ``C-q``."""
        self._tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "t", "-l", text)

    def command(self, text: str) -> None:
        """A ``:`` command, typed as an operator would once the line is open."""
        for _ in range(3):  # a ':' right after Esc can be read as Alt+':'
            self.type(":")
            try:
                self.wait_for(lambda t: COMMAND_LINE in t, 10, "the command line")
                break
            except AssertionError:
                continue
        self.type(text)
        self.keys("Enter")
        self.wait_for(lambda t: COMMAND_LINE not in t, 10, "the command line closed")

    def wait_for(
        self, condition: Callable[[str], bool], timeout: float, what: str
    ) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if condition(text):
                return text
            time.sleep(0.5)
        raise AssertionError(f"{what} not seen within {timeout:.0f}s:\n{text}")

    def kill_pane(self) -> None:
        """What closing the window or a dropped SSH does: the pty goes, SIGHUP."""
        self._tmux("kill-pane", "-t", "t")

    def kill(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30
        )
        self._socket_path.unlink(missing_ok=True)  # tmux leaves it behind


def shell(argv: list[str], exit_file: Path) -> str:
    """``argv``, then its exit code written to ``exit_file`` (read by the test)."""
    return f"{shlex.join(argv)}; echo EXIT=$? > {shlex.quote(str(exit_file))}"


def livedata(*args: str) -> list[str]:
    return [sys.executable, "-m", "livedata", *args]


def services_ok(text: str) -> bool:
    return all(
        re.search(rf"\bOK\b.*\b{name}\b", text, re.MULTILINE) for name in SERVICES
    )


def wait_for_file(path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.5)
    raise AssertionError(f"{path.name} not written within {timeout:.0f}s")


def quit_gracefully(term: Terminal, exit_file: Path) -> None:
    """After a failure: ask the console to quit so the demo stops its processes."""
    if exit_file.exists():
        return
    try:
        term.keys("Escape", "C-q")
        wait_for_file(exit_file, 60)
    except (AssertionError, RuntimeError):
        pass


def open_one_d_result(term: Terminal) -> str:
    """Open the monitor1 histogram outputs one row after another until a 1-d one."""
    term.command("results monitor1")
    term.wait_for(lambda t: "filter: monitor1" in t, 30, "monitor1 results")
    time.sleep(1.0)  # let the command line hand the focus back to the table
    for _ in range(4):
        term.keys("Enter")
        text = term.wait_for(lambda t: "Result " in t, 30, "a result detail")
        if re.search(r"Result (cumulative|current)\b", text):
            return term.wait_for(
                lambda t: "time_of_arrival" in t and re.search("[\u2801-\u28ff]", t),
                30,
                "a plot of the histogram",
            )
        term.keys("Escape")
        time.sleep(1.0)
        term.keys("Down")
    raise AssertionError(f"no 1-d monitor1 result among the rows:\n{term.screen()}")


@pytest.fixture(autouse=True)
def _needs_tmux():
    assert shutil.which("tmux"), "these tests drive the console through tmux"


def test_demo_console_in_a_terminal(tmp_path):
    exit_file = tmp_path / "exit"
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('pause = "z"\n')  # the demo's console takes the keymap too
    term = Terminal(
        shell(livedata("demo", "--keymap", str(keymap)), exit_file), cwd=REPO
    )
    try:
        services = term.wait_for(services_ok, STARTUP_S, "four services OK")
        assert "Services" in services.splitlines()[0]

        term.command("jobs")
        jobs = term.wait_for(
            lambda t: all(job in t for job in DEFAULT_JOBS), 60, "default jobs"
        )
        assert "Jobs" in jobs.splitlines()[0]
        assert jobs.count("active") >= len(DEFAULT_JOBS)

        term.command("results")
        results = term.wait_for(
            lambda t: "counts_total" in t and "cumulative" in t and "current" in t,
            60,
            "result rows",
        )
        assert "Results" in results.splitlines()[0]
        # "monitor_histogram v2" ends in an ellipsis in the 17-wide column.
        assert "monitor_histog" in results and "panel_0_xy" in results

        plot = open_one_d_result(term)
        assert "time_of_arrival [ms]" in plot  # the x axis is the bin centres
        assert "┤" in plot  # plotext's y ticks
        term.keys("Escape")
        term.wait_for(lambda t: " Results " in t.splitlines()[0], 30, "the results")
        time.sleep(1.0)  # a key right after Esc would be read as Alt+key

        term.command("logs")  # the services' own logs, as the demo wrote them
        logs = term.wait_for(
            lambda t: (
                "Logs (all)" in t.splitlines()[0] and "starting detector_data" in t
            ),
            30,
            "the logs view with a service's start line",
        )
        assert re.search(r"^detector_data\s.*starting detector_data", logs, re.M)
        term.keys("Escape")
        term.wait_for(lambda t: " Results " in t.splitlines()[0], 30, "the results")
        time.sleep(1.0)

        term.keys("z")
        paused = term.wait_for(lambda t: "PAUSED" in t, 30, "PAUSED")
        assert "PAUSED" in paused.splitlines()[0]

        term.keys("C-q")
        assert wait_for_file(exit_file, 120) == "EXIT=0"
        assert "demo stopped" in term.screen(scrollback=True)
    finally:
        quit_gracefully(term, exit_file)
        term.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tui_attaches_to_a_running_demo(tmp_path):
    port = free_port()
    out, err = tmp_path / "demo.out", tmp_path / "demo.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        demo = subprocess.Popen(
            livedata("demo", "--no-tui", "--port", str(port)),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=REPO,
        )
    exit_file = tmp_path / "exit"
    term = None
    try:
        deadline = time.monotonic() + STARTUP_S
        while "jobs " not in out.read_text():
            assert demo.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "the demo did not get ready"
            time.sleep(0.5)
        assert f"broker      127.0.0.1:{port}" in out.read_text()

        tui = livedata(
            "tui", "--instrument", "dummy", "--bootstrap", f"127.0.0.1:{port}"
        )
        term = Terminal(shell(tui, exit_file), cwd=REPO)
        services = term.wait_for(services_ok, STARTUP_S, "four services OK")
        assert "Services" in services.splitlines()[0]
        term.command("q")
        assert wait_for_file(exit_file, 60) == "EXIT=0"
    finally:
        if term is not None:
            quit_gracefully(term, exit_file)
            term.kill()
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
        try:
            code = demo.wait(120)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
            raise
    assert code == 0, err.read_text()
    assert "demo stopped" in err.read_text()


def processes() -> dict[int, list[str]]:
    """argv of every live (not zombie) process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and argv[0]:
            found[int(entry.name)] = [a.decode(errors="replace") for a in argv if a]
    return found


def on_broker(address: str) -> dict[int, str]:
    """Services, fakes and the broker of the demo whose broker is ``address``."""
    return {
        pid: " ".join(argv)
        for pid, argv in processes().items()
        if any(address in a for a in argv)
    }


def demo_process(port: int) -> dict[int, str]:
    """The demo itself (not the shell or tmux that name it in one argument)."""
    wanted = ["-m", "livedata", "demo", "--port", str(port)]
    return {
        pid: " ".join(argv) for pid, argv in processes().items() if argv[1:6] == wanted
    }


def wait_until_gone(address: str, port: int, timeout: float) -> dict[int, str]:
    """Wait for the demo and every process on its broker to end; what is left."""
    deadline = time.monotonic() + timeout
    while True:
        left = on_broker(address) | demo_process(port)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def test_closing_the_terminal_stops_the_demo_and_all_its_processes():
    port = free_port()
    address = f"127.0.0.1:{port}"
    term = Terminal(shlex.join(livedata("demo", "--port", str(port))), cwd=REPO)
    killed = False
    try:
        term.wait_for(services_ok, STARTUP_S, "four services OK")
        names = " ".join(on_broker(address).values())
        assert all(f"service run {s}" in names for s in SERVICES), names
        assert "fake" in names and f"tcp://{address}" in names  # fakes, broker
        (demo_pid,) = demo_process(port)
        term.kill_pane()  # SIGHUP to the demo; its terminal is gone for good
        killed = True
        left = wait_until_gone(address, port, 120)
        assert not left, f"still running after the terminal went away: {left}"
        assert demo_pid not in left
    finally:
        if not killed:
            with contextlib.suppress(RuntimeError):
                term.keys("Escape", "C-q")
            wait_until_gone(address, port, 60)
        term.kill()
        for pid in on_broker(address):  # never leave a stray system behind
            os.kill(pid, signal.SIGKILL)
