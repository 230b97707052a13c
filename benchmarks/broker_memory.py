"""Broker memory over a long demo (issue 11): is the embedded broker bounded?

Runs ``livedata demo --no-tui`` (embedded broker, the dummy instrument's four
services, fakes at their default rates, default jobs) for ``--seconds`` and
samples every ``--interval`` seconds the resident memory of the broker and of
every other demo process, and whether each is alive. The embedded broker keeps
every record (no retention), so the run stops early once the broker passes
``--stop-above-mb``: a shared 24 GB host must not be pushed into the OOM killer.

    python benchmarks/broker_memory.py [--seconds 3600] [--interval 30]
        [--stop-above-mb 4096]

It measures; it does not pass or fail. Figures on a shared host are noisy.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from livedata.kafka.broker import find_free_port


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parents.items() if p == pid]
        found.extend(children)
        frontier.extend(children)
    return found


def label(pid: int, port: int) -> str:
    text = cmdline(pid)
    if (
        f"127.0.0.1:{port}" in text
        and " broker " in f" {text} "
        and "livedata" not in text
    ):
        return "broker"
    for word in ("detector_data", "monitor_data", "data_reduction", "timeseries"):
        if f"run {word}" in text:
            return word
    if " fake " in text:
        return "fake_" + text.split(" fake ", 1)[1].split()[0]
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--interval", type=float, default=30)
    parser.add_argument("--stop-above-mb", type=float, default=4096)
    args = parser.parse_args()
    port = find_free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "livedata", "demo", "--no-tui", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    for line in demo.stdout:
        print("demo:", line.rstrip(), flush=True)
        if line.startswith("logs"):
            break
    os.set_blocking(demo.stdout.fileno(), False)
    start = time.monotonic()
    peak_broker = 0.0
    print("t_s broker_MB services_MB(max) alive", flush=True)
    while time.monotonic() - start < args.seconds:
        time.sleep(args.interval)
        if demo.poll() is not None:
            print(f"demo exited with {demo.returncode}", flush=True)
            break
        sizes: dict[str, float] = {}
        for pid in descendants(demo.pid):
            name = label(pid, port)
            size = rss_mb(pid)
            if name and size is not None:
                sizes[name] = max(size, sizes.get(name, 0.0))
        broker = sizes.pop("broker", 0.0)
        peak_broker = max(peak_broker, broker)
        services = {k: v for k, v in sizes.items() if not k.startswith("fake_")}
        print(
            f"{time.monotonic() - start:6.0f} {broker:8.0f}"
            f" {max(services.values(), default=0):8.0f} {sorted(sizes)}",
            flush=True,
        )
        if broker > args.stop_above_mb:
            print(
                f"broker above {args.stop_above_mb:.0f} MB: stopping early", flush=True
            )
            break
        try:
            for line in demo.stdout.read().splitlines():
                print("demo:", line, flush=True)
        except (TypeError, OSError):
            pass
    demo.send_signal(signal.SIGINT)
    try:
        demo.wait(60)
    except subprocess.TimeoutExpired:
        demo.kill()
    print(f"peak broker RSS {peak_broker:.0f} MB over {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
