"""The embedded Tansu broker: start, answer, stop, and fail clearly."""

from __future__ import annotations

import os
import socket

import pytest
from confluent_kafka.admin import AdminClient

from livedata.kafka.broker import BrokerStartError, EmbeddedBroker, find_free_port


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_find_free_port_gives_a_bindable_loopback_port() -> None:
    port = find_free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
    assert 0 < port < 65536


def test_bootstrap_before_start_is_an_error() -> None:
    with pytest.raises(BrokerStartError):
        _ = EmbeddedBroker().bootstrap


def test_missing_binary_is_reported_clearly(tmp_path) -> None:
    broker = EmbeddedBroker(binary=str(tmp_path / "no-such-broker"))
    with pytest.raises(BrokerStartError, match="no-such-broker"):
        broker.start()
    assert not broker.running


def test_a_broker_that_exits_is_reported_with_its_output(tmp_path) -> None:
    fake = tmp_path / "fake-broker"
    fake.write_text("#!/bin/sh\necho 'cannot start: out of luck' >&2\nexit 3\n")
    fake.chmod(0o755)
    broker = EmbeddedBroker(find_free_port(), binary=str(fake), startup_timeout=5)
    with pytest.raises(BrokerStartError) as caught:
        broker.start()
    message = str(caught.value)
    assert "exited with code 3" in message
    assert "out of luck" in message
    assert not broker.running


@pytest.mark.integration
def test_session_broker_answers_metadata_requests(kafka_broker) -> None:
    assert kafka_broker.running
    assert kafka_broker.bootstrap == f"127.0.0.1:{kafka_broker.port}"
    metadata = AdminClient({"bootstrap.servers": kafka_broker.bootstrap}).list_topics(
        timeout=5
    )
    assert [b.port for b in metadata.brokers.values()] == [kafka_broker.port]


@pytest.mark.integration
def test_context_manager_starts_and_stops_a_broker_on_a_given_port() -> None:
    port = find_free_port()
    with EmbeddedBroker(port) as broker:
        assert broker.bootstrap == f"127.0.0.1:{port}"
        assert broker.running and port_accepts(port)
        pid = broker.pid
    assert not broker.running
    assert not port_accepts(port)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.integration
def test_a_taken_port_is_refused_before_launching(kafka_broker) -> None:
    second = EmbeddedBroker(kafka_broker.port, startup_timeout=5)
    with pytest.raises(BrokerStartError, match=f"port {kafka_broker.port} .* in use"):
        second.start()
    assert not second.running
    assert kafka_broker.running  # the session broker is untouched


def test_the_default_memory_limit_is_half_the_machine() -> None:
    from livedata.kafka.broker import default_memory_limit, memory_limit_bytes

    with open("/proc/meminfo") as meminfo:
        total_kib = next(int(line.split()[1]) for line in meminfo if "MemTotal" in line)
    assert default_memory_limit() == total_kib * 1024 // 2
    assert memory_limit_bytes(None) == default_memory_limit()
    assert memory_limit_bytes(0.5) == 2**29
