"""``livedata broker --port`` and ``livedata fake ... --rate`` as an operator
runs them: real processes, records counted on the embedded broker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from confluent_kafka import Consumer, TopicPartition
from streaming_data_types import eventdata_ev44, logdata_f144

from livedata.instruments import get_instrument
from livedata.kafka.broker import find_free_port
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.services.topics import create_instrument_topics

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def spawn(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEDATA_")}
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def interrupt(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out, err


def test_broker_listens_on_the_port_given():
    port = find_free_port()
    proc = spawn("broker", "--port", str(port))
    try:
        assert proc.stdout.readline().strip() == f"127.0.0.1:{port}"
        created = subprocess.run(
            [sys.executable, "-m", "livedata", "kafka", "topics", "create"],
            capture_output=True,
            text=True,
            env={**os.environ, "LIVEDATA_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}"},
            timeout=60,
        )
        assert created.returncode == 0, created.stderr
        assert "created  dummy_livedata_commands" in created.stdout
    finally:
        code, _, err = interrupt(proc)
    assert code == 0, err
    assert "broker stopped" in err


def test_broker_on_a_busy_port_is_one_line_and_exit_1():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = spawn("broker", "--port", str(port))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert out == ""
    assert err.strip().splitlines() == [f"error: port {port} on 127.0.0.1 is in use"]


@pytest.fixture(scope="module")
def bootstrap(module_kafka_broker) -> str:
    for name in ("dummy", "loki"):
        report = create_instrument_topics(
            get_instrument(name), module_kafka_broker.bootstrap
        )
        assert report.ok, report
    return module_kafka_broker.bootstrap


def high_watermark(bootstrap: str, topic: str) -> int:
    consumer = Consumer(make_consumer_config(bootstrap, "test_fake_marks"))
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5)[1]
    finally:
        consumer.close()


def run_fake_until(bootstrap: str, topic: str, count: int, *args: str) -> int:
    """Run ``livedata fake ARGS`` until ``topic`` grew by ``count`` records (its
    start-up may take seconds); the messages it says it sent."""
    before = high_watermark(bootstrap, topic)
    proc = spawn("fake", *args, "--bootstrap", bootstrap)
    deadline = time.monotonic() + 60
    while high_watermark(bootstrap, topic) - before < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the fake produced too little"
        time.sleep(0.2)
    code, _, err = interrupt(proc)
    assert code == 0, err
    (line,) = [x for x in err.splitlines() if x.startswith("sent ")]
    assert line.endswith(" messages"), line  # none undelivered
    return int(line.split()[1])


def records(bootstrap: str, topics: list[str], want: int) -> list[bytes]:
    consumer = Consumer(make_consumer_config(bootstrap, "test_fake"))
    values: list[bytes] = []
    try:
        assign_all(consumer, topics, at="beginning")
        deadline = time.monotonic() + 20
        while len(values) < want and time.monotonic() < deadline:
            values += [m.value() for m in consumer.consume(500, 0.2) if not m.error()]
    finally:
        consumer.close()
    return values


def test_detector_rate_is_the_total_of_the_instrument(bootstrap):
    """LOKI has nine banks: 126 000 events/s is 9 000 per pulse in total."""
    sent = run_fake_until(
        bootstrap, "loki_detector", 9 * 25,
        "detectors", "--instrument", "loki", "--rate", "126000",
    )  # fmt: skip
    values = records(bootstrap, ["loki_detector"], sent)
    assert len(values) == sent >= 9 * 20
    per_pulse: dict[int, int] = defaultdict(int)
    banks_per_pulse: Counter[int] = Counter()
    for value in values:
        ev44 = eventdata_ev44.deserialise_ev44(value)
        pulse = int(ev44.reference_time[0])
        per_pulse[pulse] += len(ev44.pixel_id)
        banks_per_pulse[pulse] += 1
    complete = [p for p, n in banks_per_pulse.items() if n == 9]
    assert len(complete) >= 20
    assert {per_pulse[p] for p in complete} == {9000}


def test_log_rate_is_updates_per_second_of_each_log(bootstrap):
    sent = run_fake_until(bootstrap, "dummy_motion", 2 * 10, "logs", "--rate", "5")
    values = records(bootstrap, ["dummy_motion"], sent)
    assert len(values) == sent
    times: dict[str, list[int]] = defaultdict(list)
    for value in values:
        f144 = logdata_f144.deserialise_f144(value)
        times[f144.source_name].append(f144.timestamp_unix_ns)
    assert set(times) == {"motion1", "motion2"}
    for stamps in times.values():
        assert len(stamps) >= 10
        gaps = {b - a for a, b in pairwise(stamps)}
        assert gaps == {200_000_000}
