"""Real subprocess services and a listener on livedata's client topics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from confluent_kafka import Consumer, Producer

from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import RawMessage, from_confluent
from livedata.kafka.routing import build_client_adapter
from livedata.kafka.sink import make_producer_config

CLIENT_TOPICS = [
    "dummy_livedata_data",
    "dummy_livedata_heartbeat",
    "dummy_livedata_responses",
]


def start_service(
    name: str,
    bootstrap: str | None,
    instrument: str = "dummy",
    *,
    dev: bool = True,
    log_level: str = "WARNING",
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """``livedata service run`` as a process; DEV names, as the fakes and tests
    produce them, unless ``dev=False``; ``bootstrap=None`` leaves the address
    to ``env`` (LIVEDATA_KAFKA_BOOTSTRAP) or the configuration.

    The service logs to an anonymous file, not a pipe: nobody reads a pipe
    while the test runs, and a full one would block the service's logging."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in service_output
    address = [] if bootstrap is None else ["--bootstrap", bootstrap]
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "livedata", "service", "run", name),
            *("--instrument", instrument, "--dev" if dev else "--prod", *address),
            *("--log-level", log_level),
        ],
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    _LOGS[proc.pid] = log
    return proc


_LOGS: dict[int, IO[bytes]] = {}


def service_output(proc: subprocess.Popen, tail: int = 4000) -> str:
    """The last ``tail`` characters the service printed so far."""
    log = _LOGS[proc.pid]
    log.seek(0)
    return log.read().decode(errors="replace")[-tail:]


def stop_service(
    proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20
) -> int:
    """Signal the service and wait; a hang fails with the service's stacks."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)  # the service prints every thread's stack
        time.sleep(1)
        proc.kill()
        proc.wait()
        raise AssertionError(
            f"service did not stop within {timeout} s:\n{service_output(proc)}"
        ) from None


class Listener:
    """Collects decoded messages from the client topics (of the dummy, unless
    another ``instrument`` is named) on its own thread."""

    def __init__(self, bootstrap: str, instrument: str = "dummy") -> None:
        self._consumer = Consumer(make_consumer_config(bootstrap, "test_listener"))
        topics = [
            topic.replace("dummy_", f"{instrument}_", 1) for topic in CLIENT_TOPICS
        ]
        assign_all(self._consumer, topics, at="end")
        self._adapter = build_client_adapter(instrument, Counters())
        self._lock = threading.Lock()
        self.messages: list[tuple[str, Message[Any]]] = []
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                batch = self._consumer.consume(num_messages=500, timeout=0.1)
                self._ready.set()
                for msg in batch:
                    if msg.error():
                        continue
                    adapted = self._adapter.adapt(from_confluent(msg))
                    if adapted is not None:
                        with self._lock:
                            self.messages.append((msg.topic(), adapted))
        finally:
            self._consumer.close()

    def snapshot(self) -> list[tuple[str, Message[Any]]]:
        with self._lock:
            return list(self.messages)

    def wait_for(
        self,
        predicate: Callable[[list[tuple[str, Message[Any]]]], Any],
        timeout: float = 30,
    ) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate(self.snapshot())
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"condition not met within {timeout} s")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


def produce(bootstrap: str, raws: list[RawMessage]) -> None:
    producer = Producer(make_producer_config(bootstrap))
    for raw in raws:
        producer.produce(raw.topic, raw.value, raw.key)
    producer.flush(10)
