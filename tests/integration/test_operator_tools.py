"""The operator's kcat/systemctl-style tools on the real embedded broker:
``kafka topics list``, ``results tail -f`` and Ctrl-C on a DREAM demo.

Each runs as the real ``livedata`` process an operator starts; what is checked
is what they print and how they exit.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import scipp as sc
from confluent_kafka import Producer

from livedata.cli.common import ExitCode
from livedata.cli.demo_run import STOP_TIMEOUT_S
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.message import Message
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.instruments import get_instrument
from livedata.kafka.serialisers import Serialiser
from livedata.kafka.stream_mapping import livedata_topic
from livedata.services.topics import create_instrument_topics, topics_to_create
from tests.cli.helpers import invoke

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def livedata(*args: str) -> list[str]:
    return [sys.executable, "-m", "livedata", *args]


class Lines:
    """A child's stdout read line by line on a thread (a pipe never blocks it)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(proc.stdout,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def drain(self, wait: float = 0.0) -> list[str]:
        try:
            self.seen.append(self._queue.get(timeout=wait) if wait else "")
            if not self.seen[-1]:
                self.seen.pop()
        except queue.Empty:
            pass
        while True:
            try:
                self.seen.append(self._queue.get_nowait())
            except queue.Empty:
                return self.seen

    def until(self, predicate, timeout: float, what: str) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.drain(0.2)):
                return self.seen
        raise AssertionError(f"{what} not printed in {timeout:g} s: {self.seen}")


def test_topics_list_says_missing_then_present_with_partitions_and_records(
    module_kafka_broker,
) -> None:
    bootstrap = module_kafka_broker.bootstrap
    inst = get_instrument("dummy")
    wanted = sorted(topics_to_create(inst))

    before = invoke("kafka", "topics", "list", "--json", "--bootstrap", bootstrap)
    assert before.exit_code == ExitCode.ERROR  # exit 1: something is missing
    rows = {r["topic"]: r for r in json.loads(before.stdout)}
    assert sorted(rows) == wanted
    assert not any(r["present"] for r in rows.values())

    assert create_instrument_topics(inst, bootstrap).ok
    data = livedata_topic("dummy", StreamKind.LIVEDATA_DATA)
    producer = Producer({"bootstrap.servers": bootstrap})
    for _ in range(3):
        producer.produce(data, b"x")
        producer.flush(10)  # one batch each: the embedded broker counts batches

    def listed() -> dict[str, dict]:
        after = invoke("kafka", "topics", "list", "--json", "--bootstrap", bootstrap)
        assert after.exit_code == 0, after.stderr
        return {r["topic"]: r for r in json.loads(after.stdout)}

    # the embedded broker's high watermark may trail the last batch a moment
    deadline = time.monotonic() + 10
    while (rows := listed())[data]["records"] < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(rows) == wanted
    assert all(r["present"] and r["partitions"] >= 1 for r in rows.values())
    assert rows[data]["records"] == 3

    text = invoke("kafka", "topics", "list", "--bootstrap", bootstrap)
    assert text.exit_code == 0
    line = next(x for x in text.stdout.splitlines() if x.startswith(data + " "))
    assert line.split()[1:] == ["present", str(rows[data]["partitions"]), "3"]


def result_record(output: str, value: float) -> tuple[bytes, bytes]:
    key = ResultKey(
        workflow_id=WorkflowId.parse_str("dummy/panel_0_xy/2"),
        job_id=JobId(source_name="panel_0"),
        output_name=output,
    )
    stream = StreamId(StreamKind.LIVEDATA_DATA, key.to_json())
    data = sc.DataArray(sc.scalar(value, unit="counts"))
    record = Serialiser("dummy")(Message(Timestamp(time.time_ns()), stream, data))
    return record.value, record.key


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def values_of(lines: list[str]) -> list[float]:
    return [json.loads(line)["value"] for line in lines]


def test_results_tail_follow_prints_ndjson_past_count_and_idle_until_ctrl_c(
    module_kafka_broker,
) -> None:
    """``-f`` keeps printing past the default 10 results and past a quiet spell
    longer than ``--timeout``; Ctrl-C ends it with exit 0."""
    bootstrap = module_kafka_broker.bootstrap
    assert create_instrument_topics(get_instrument("dummy"), bootstrap).ok
    topic = livedata_topic("dummy", StreamKind.LIVEDATA_DATA)
    producer = Producer({"bootstrap.servers": bootstrap})

    def publish(first: int, n: int) -> None:
        for i in range(first, first + n):
            value, key = result_record("counts_total", float(i))
            producer.produce(topic, value, key)
        producer.flush(10)

    command = livedata(
        *("results", "tail", "-f", "--json", "-w", "dummy/panel_0_xy"),
        *("--timeout", "1", "--bootstrap", bootstrap),
    )
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl-C as in an operator's shell: a runner started in the background
        # (``cmd &``) would hand its ignored SIGINT down to the child.
        preexec_fn=default_sigint,
    )
    out = Lines(proc)
    try:
        # It starts at the end of the topic: publish until the first one shows.
        deadline = time.monotonic() + 60
        while not out.drain(0.3):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "results tail -f printed nothing"
            publish(0, 1)
        publish(100, 12)
        out.until(lambda lines: len(lines) >= 13, 30, "13 results")
        time.sleep(3.0)  # three times --timeout without a result
        assert proc.poll() is None, "results tail -f stopped on an idle topic"
        publish(200, 1)
        out.until(lambda lines: 200.0 in values_of(lines), 30, "value 200")
        proc.send_signal(signal.SIGINT)
        code = proc.wait(15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, proc.stderr.read()
    results = [json.loads(line) for line in out.drain()]
    assert all(r["workflow_id"] == "dummy/panel_0_xy/2" for r in results)
    values = values_of(out.drain())
    assert [v for v in values if v >= 100] == [*map(float, range(100, 112)), 200.0]


def test_ctrl_c_on_a_dream_demo_with_powder_running_stops_in_time_with_exit_0(
    tmp_path: Path,
) -> None:
    """Ctrl-C mid-reduction: the demo and every service stop within the demo's
    documented stop deadline, each service says ``stopping``, exit 0."""
    proc = subprocess.Popen(
        livedata("demo", "--instrument", "dream", "--no-tui"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"},
    )
    out = Lines(proc)
    try:
        out.until(lambda lines: any(x.startswith("logs ") for x in lines), 300, "ready")
        summary = "\n".join(out.seen)
        assert "all acknowledged" in summary, summary
        log_dir = Path(re.search(r"^logs\s+(\S+)", summary, re.M).group(1))
        address = re.search(r"^broker\s+(\S+)", summary, re.M).group(1)
        # powder is one of DREAM's default jobs: wait until it publishes
        tail = invoke(
            *("results", "tail", "-w", "dream/powder", "-n", "1", "--timeout", "120"),
            *("--bootstrap", address),
        )
        assert tail.exit_code == 0, tail.stderr
        began = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(STOP_TIMEOUT_S + 30)
        took = time.monotonic() - began
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read()
    print(f"\nFIGURE Ctrl-C on the DREAM demo with powder -> exit {code}: {took:.1f} s")
    assert code == 0, err
    assert took < STOP_TIMEOUT_S
    assert "demo stopped" in err
    reduction = (log_dir / "data_reduction.log").read_text(errors="replace")
    assert "stopping" in reduction and "Traceback" not in reduction
