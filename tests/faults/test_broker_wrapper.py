"""``livedata broker`` and ``livedata demo`` end, non-zero and saying why, when
their broker dies or reaches its memory limit (it keeps every record)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from livedata.kafka.broker import find_free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found.extend(int(c) for c in f.read().split())
    return found


def livedata(*args: str) -> subprocess.Popen:
    """``python -m livedata ARGS`` with pipes, free of the caller's LIVEDATA_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEDATA_")}
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_broker_command_exits_1_when_its_broker_is_killed() -> None:
    proc = livedata("broker", "--port", str(find_free_port()))
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("127.0.0.1:")
        deadline = time.monotonic() + 10
        while not children(proc.pid):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        [broker] = children(proc.pid)
        os.kill(broker, signal.SIGKILL)  # as the kernel's OOM killer does
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1
    assert "error: the embedded broker exited (signal 9)" in err


def test_demo_exits_1_when_its_broker_is_killed(tmp_path) -> None:
    proc = livedata("demo", "--no-tui")
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("logs"):
                break
        else:
            raise AssertionError(f"demo did not start: {proc.communicate()[1]}")
        brokers = [pid for pid in children(proc.pid) if "tansu" in _cmdline(pid)]
        assert len(brokers) == 1
        os.kill(brokers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1
    assert "error: the embedded broker exited (signal 9)" in err


def test_broker_command_stops_its_broker_at_the_memory_limit() -> None:
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    proc = livedata("broker", "--memory-limit", "0.2")
    try:
        assert proc.stdout is not None
        bootstrap = proc.stdout.readline().strip()
        assert bootstrap.startswith("127.0.0.1:")
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic("fill", 1, 1)])["fill"].result(10)
        producer = Producer(
            {"bootstrap.servers": bootstrap, "message.max.bytes": 10_000_000}
        )
        chunk = os.urandom(4_000_000)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            producer.produce("fill", chunk)  # 4 MB at a time until it stops
            producer.poll(0.05)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1
    assert "up to 0.2 GiB" in err  # said at start
    assert "error: the embedded broker reached" in err
    assert "its memory limit (0.2 GiB)" in err


def test_demo_ends_when_its_broker_reaches_the_memory_limit() -> None:
    # The dummy demo's broker grows ~13 MB/s: 0.4 GiB within a minute or so.
    proc = livedata("demo", "--no-tui", "--broker-memory-limit", "0.4")
    try:
        _, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1
    assert "its memory limit (0.4 GiB)" in err, err[-2000:]
    assert "stopping the demo" in err


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""
