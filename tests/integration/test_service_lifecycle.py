"""A service's start and end as a process on the embedded broker: the first
command after ``running`` is never missed, the bootstrap can come from the
environment, SIGTERM during start-up stops it cleanly, a start-up failure says
``error``, and the service settings of the YAML reach the service."""

from __future__ import annotations

import os
import shutil
import signal
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer

from livedata.config.loader import config_root
from livedata.core.commands import CommandAcknowledgement, WorkflowConfig
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.status import ServiceStatus
from livedata.kafka.consumer import assign_from_now, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.routing import build_client_adapter
from livedata.kafka.sink import make_producer_config
from livedata.kafka.wire_builders import command_message
from tests.integration.helpers import (
    service_output,
    start_service,
    stop_service,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HEARTBEAT = "dummy_livedata_heartbeat"
RESPONSES = "dummy_livedata_responses"


class Reader:
    """Decoded heartbeats and acknowledgements from the moment it was made."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = Consumer(make_consumer_config(bootstrap, "test_lifecycle"))
        assert assign_from_now(self._consumer, [HEARTBEAT, RESPONSES]) == []
        self._adapter = build_client_adapter("dummy", Counters())

    def poll(self, timeout: float = 0.05) -> list:
        values = []
        for msg in self._consumer.consume(500, timeout):
            if msg.error():
                continue
            adapted = self._adapter.adapt(from_confluent(msg))
            if adapted is not None:
                values.append(adapted.value)
        return values

    def until(self, predicate, timeout: float, proc=None) -> list:
        """Everything read until ``predicate(all so far)`` holds."""
        seen: list = []
        deadline = time.monotonic() + timeout
        while not predicate(seen):
            if time.monotonic() > deadline:
                output = service_output(proc) if proc is not None else ""
                raise AssertionError(f"not seen within {timeout} s: {seen}\n{output}")
            seen += self.poll()
        return seen

    def close(self) -> None:
        self._consumer.close()


def service_states(values: list, service: str) -> list[str]:
    return [
        v.state.value
        for v in values
        if isinstance(v, ServiceStatus) and v.service_name == service
    ]


def timeseries_config() -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId.parse_str("dummy/timeseries_data/2"),
        job_id=JobId(source_name="motion1", job_number=uuid.uuid4()),
    )


def test_a_command_sent_on_the_first_running_heartbeat_is_acknowledged(bootstrap):
    """Three starts; the bootstrap comes only from LIVEDATA_KAFKA_BOOTSTRAP."""
    producer = Producer(make_producer_config(bootstrap))
    for _ in range(3):
        reader = Reader(bootstrap)
        proc = start_service(
            "timeseries", None, env={"LIVEDATA_KAFKA_BOOTSTRAP": bootstrap}
        )
        try:
            reader.until(
                lambda vs: "running" in service_states(vs, "timeseries"), 60, proc
            )
            cfg = timeseries_config()  # sent at once: no settling time
            raw = command_message("dummy", cfg)
            producer.produce(raw.topic, raw.value, raw.key)
            producer.flush(5)
            answers = reader.until(
                lambda vs, cfg=cfg: any(
                    isinstance(v, CommandAcknowledgement)
                    and v.message_id == cfg.message_id
                    for v in vs
                ),
                15,
                proc,
            )
            ack = next(
                v
                for v in answers
                if isinstance(v, CommandAcknowledgement)
                and v.message_id == cfg.message_id
            )
            assert ack.response.value == "ACK"
        finally:
            assert stop_service(proc) == 0
            reader.close()


def test_sigterm_during_start_up_stops_cleanly(bootstrap):
    reader = Reader(bootstrap)
    proc = start_service("data_reduction", bootstrap, log_level="INFO")
    try:
        deadline = time.monotonic() + 30
        # The first log line comes after the signals are routed, before the
        # (slow) factories are loaded.
        while "starting data_reduction" not in service_output(proc):
            assert time.monotonic() < deadline, service_output(proc)
            time.sleep(0.02)
        assert stop_service(proc, signal.SIGTERM) == 0
        values = reader.until(
            lambda vs: "stopped" in service_states(vs, "data_reduction"), 20, proc
        )
        states = service_states(values, "data_reduction")
        assert states[-2:] == ["stopping", "stopped"]
        assert "running" not in states  # it never got as far as processing
    finally:
        reader.close()


def test_a_broken_dependency_sends_an_error_heartbeat_and_exits_1(
    bootstrap, tmp_path: Path
):
    """A deployment whose ``sciline`` cannot be imported: the factories fail."""
    broken = tmp_path / "site" / "sciline"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(
        "raise ImportError('sciline is broken in this deployment')\n"
    )
    path = os.pathsep.join(
        p for p in (str(broken.parent), os.environ.get("PYTHONPATH", "")) if p
    )
    reader = Reader(bootstrap)
    proc = start_service("timeseries", bootstrap, env={"PYTHONPATH": path})
    try:
        assert proc.wait(60) == 1, service_output(proc)
        values = reader.until(
            lambda vs: "error" in service_states(vs, "timeseries"), 20, proc
        )
        (status,) = [
            v
            for v in values
            if isinstance(v, ServiceStatus) and v.state.value == "error"
        ]
        assert "sciline is broken in this deployment" in status.error
        output = service_output(proc)
        assert "Traceback" not in output
        last = output.strip().splitlines()[-1]
        assert last.startswith("error: could not build the timeseries service")
        assert "ImportError: sciline is broken" in last
    finally:
        reader.close()


def test_service_settings_from_yaml_reach_the_service(bootstrap, tmp_path: Path):
    root = tmp_path / "config"
    shutil.copytree(config_root(), root)
    service_yaml = root / "defaults" / "service.yaml"
    text = service_yaml.read_text()
    assert "batch_length_s: 1.0" in text
    service_yaml.write_text(text.replace("batch_length_s: 1.0", "batch_length_s: 0.5"))
    reader = Reader(bootstrap)
    proc = start_service(
        "timeseries", bootstrap, env={"LIVEDATA_CONFIG_DIR": str(root)}
    )
    try:
        values = reader.until(
            lambda vs: "running" in service_states(vs, "timeseries"), 60, proc
        )
        running = [
            v
            for v in values
            if isinstance(v, ServiceStatus) and v.service_name == "timeseries"
        ]
        assert running[-1].batch_interval_s == 0.5
    finally:
        assert stop_service(proc) == 0
        reader.close()


def test_missing_topics_are_one_line_and_exit_1(bootstrap):
    """LOKI's topics were never created on this broker."""
    proc = start_service("detector_data", bootstrap, instrument="loki")
    assert proc.wait(60) == 1
    output = service_output(proc)
    assert "Traceback" not in output
    last = output.strip().splitlines()[-1]
    assert last.startswith("error: topics not found on the broker: loki_")
    assert "livedata kafka topics create" in last
