"""Consumer config (one group per process) and explicit assignment."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, Producer

from livedata.kafka.admin import TopicSettings, ensure_topics
from livedata.kafka.consumer import (
    TopicsNotFound,
    assign_all,
    assign_from_now,
    make_consumer_config,
)

SECURITY = {
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-256",
    "sasl.username": "user",
    "sasl.password": "secret",
}


def test_every_config_gets_its_own_group() -> None:
    first = make_consumer_config("host:9092", "dummy_detector_data")
    second = make_consumer_config("host:9092", "dummy_detector_data")
    assert first["group.id"] != second["group.id"]
    prefix, _, suffix = first["group.id"].rpartition("_")
    assert prefix == "dummy_detector_data"
    assert str(uuid.UUID(suffix)) == suffix
    assert first["enable.auto.commit"] is False
    assert first["auto.offset.reset"] == "latest"
    assert first["bootstrap.servers"] == "host:9092"


def test_security_settings_pass_through_untouched() -> None:
    config = make_consumer_config(
        "host:9092",
        "cli",
        {**SECURITY, "auto.offset.reset": "earliest", "group.id": "shared"},
    )
    assert {k: config[k] for k in SECURITY} == SECURITY
    assert config["auto.offset.reset"] == "earliest"  # a client may want history
    assert re.fullmatch(r"cli_[0-9a-f-]{36}", config["group.id"])  # never shared


def test_assign_all_accepts_only_end_or_beginning() -> None:
    consumer = Consumer({"bootstrap.servers": "127.0.0.1:1", "group.id": "g"})
    try:
        with pytest.raises(ValueError, match="'end' or 'beginning'"):
            assign_all(consumer, ["t"], at="middle")  # type: ignore[arg-type]
    finally:
        consumer.close()


@pytest.mark.integration
def test_assign_all_takes_every_partition_with_logical_offsets(kafka_broker) -> None:
    names = [f"multi_{uuid.uuid4().hex[:8]}", f"single_{uuid.uuid4().hex[:8]}"]
    ensure_topics(
        kafka_broker.bootstrap,
        {names[0]: TopicSettings(partitions=3), names[1]: TopicSettings()},
        timeout=5,
    )
    for at, offset in (("end", OFFSET_END), ("beginning", OFFSET_BEGINNING)):
        consumer = Consumer(make_consumer_config(kafka_broker.bootstrap, "test"))
        try:
            assigned = assign_all(consumer, names, at=at)
            assert [(tp.topic, tp.partition) for tp in assigned] == [
                (names[0], 0),
                (names[0], 1),
                (names[0], 2),
                (names[1], 0),
            ]
            assert {tp.offset for tp in assigned} == {offset}
            assert len(consumer.assignment()) == 4
        finally:
            consumer.close()


@pytest.mark.integration
def test_missing_topics_are_named(kafka_broker) -> None:
    missing = f"missing_{uuid.uuid4().hex[:8]}"
    consumer = Consumer(make_consumer_config(kafka_broker.bootstrap, "test"))
    try:
        with pytest.raises(TopicsNotFound, match=missing):
            assign_all(consumer, [missing], timeout=5)
        assert consumer.assignment() == []
    finally:
        consumer.close()


def consume_values(consumer: Consumer, want: int, timeout: float = 10) -> list[bytes]:
    values: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(values) < want and time.monotonic() < deadline:
        values += [m.value() for m in consumer.consume(100, 0.1) if not m.error()]
    return values


@pytest.mark.integration
def test_assign_from_now_reads_a_record_produced_right_after(kafka_broker) -> None:
    """The end is read at assignment, so a record produced before the first
    fetch is not skipped (a logical OFFSET_END resolves only at that fetch)."""
    full, empty = f"full_{uuid.uuid4().hex[:8]}", f"empty_{uuid.uuid4().hex[:8]}"
    ensure_topics(
        kafka_broker.bootstrap, {full: TopicSettings(), empty: TopicSettings()}
    )
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap})
    for i in range(3):  # one record per batch: the watermark is exact
        producer.produce(full, f"old{i}".encode())
        producer.flush(5)
    for _ in range(3):
        consumer = Consumer(make_consumer_config(kafka_broker.bootstrap, "test"))
        try:
            assert assign_from_now(consumer, [full, empty]) == []  # all resolved
            assert len(consumer.assignment()) == 2
            for topic in (full, empty):
                producer.produce(topic, b"new")
            producer.flush(5)
            # Both new records, and none of the old ones.
            assert consume_values(consumer, 2) == [b"new", b"new"]
        finally:
            consumer.close()
