"""The system-level commands as an operator runs them: ``livedata broker``,
``livedata kafka topics create`` and ``livedata demo --no-tui``, each a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def livedata(*args: str, env: dict | None = None, timeout: float = 60.0):
    return subprocess.run(
        [sys.executable, "-m", "livedata", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )


def read_until(proc: subprocess.Popen, prefix: str, timeout: float) -> list[str]:
    """Lines of stdout up to and including the first starting with ``prefix``."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line.rstrip("\n"))
        if line.startswith(prefix):
            return lines
    raise AssertionError(f"no line starting {prefix!r} in {lines}")


def interrupt(proc: subprocess.Popen, timeout: float = 60.0) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err


def test_broker_prints_its_address_serves_topics_and_stops_on_ctrl_c():
    proc = spawn("broker")
    try:
        (address,) = read_until(proc, "127.0.0.1:", timeout=30)
        first = livedata("kafka", "topics", "create", "--bootstrap", address)
        assert first.returncode == 0, first.stderr
        assert "created  dummy_detector" in first.stdout
        again = livedata("kafka", "topics", "create", "--bootstrap", address)
        assert again.returncode == 0, again.stderr
        assert "exists   dummy_detector" in again.stdout
        assert "created" not in again.stdout  # idempotent
    finally:
        code, err = interrupt(proc)
    assert code == 0
    assert "broker stopped" in err


def test_topics_create_on_an_unreachable_broker_is_one_line_and_exit_1():
    result = livedata(
        "kafka", "topics", "create", "--bootstrap", "127.0.0.1:9", timeout=90
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:") and "127.0.0.1:9" in lines[0]


def test_unknown_instrument_is_a_usage_error():
    result = livedata("service", "run", "detector_data", "--instrument", "nope")
    assert result.returncode == 2
    assert "unknown instrument 'nope'" in result.stderr
    assert "dummy" in result.stderr  # the valid choices are listed


def test_demo_without_console_starts_everything_and_stops_gracefully():
    proc = spawn("demo", "--no-tui")
    try:
        lines = read_until(proc, "jobs", timeout=150)
        address = next(line.split()[1] for line in lines if line.startswith("broker"))
        assert "all acknowledged" in lines[-1]
        status = livedata(
            "services", "status", "--json", env={"LIVEDATA_KAFKA_BOOTSTRAP": address}
        )
        assert status.returncode == 0, status.stderr
        services = json.loads(status.stdout)
        assert {s["service_name"] for s in services} == {
            "monitor_data",
            "detector_data",
            "data_reduction",
            "timeseries",
        }
        assert all(s["health"] == "OK" for s in services)
        jobs = livedata(
            "job", "list", "--json", env={"LIVEDATA_KAFKA_BOOTSTRAP": address}
        )
        assert jobs.returncode == 0, jobs.stderr
        workflows = {j["workflow_id"] for j in json.loads(jobs.stdout)}
        assert "dummy/panel_0_xy/2" in workflows
        assert "dummy/monitor_histogram/2" in workflows
    finally:
        code, err = interrupt(proc, timeout=90)
    assert code == 0, err
    assert "demo stopped" in err


def _children_of(parent_pid: int) -> list[int]:
    """Processes started by the demo (they carry its pid in LIVEDATA_PARENT_PID)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        if f"LIVEDATA_PARENT_PID={parent_pid}".encode() in environ:
            found.append(int(entry))
    return found


def test_demo_killed_hard_takes_its_services_and_fakes_with_it():
    proc = spawn("demo", "--no-tui")
    try:
        read_until(proc, "jobs", timeout=150)
        children = _children_of(proc.pid)
        assert len(children) >= 8  # four services and four fakes
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 30
        while _children_of(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _children_of(proc.pid) == []
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _children_of(proc.pid):
            os.kill(pid, signal.SIGKILL)
