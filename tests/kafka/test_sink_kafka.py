"""KafkaSink with a fake producer: nothing raises, everything is counted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from confluent_kafka import KafkaError
from streaming_data_types.logdata_f144 import deserialise_f144, serialise_f144

from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.kafka.sink import KafkaSink, make_producer_config


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes


@dataclass
class Produced:
    topic: str
    value: bytes
    key: bytes | str | None


class FakeKafkaMessage:
    def __init__(self, topic: str) -> None:
        self._topic = topic

    def topic(self) -> str:
        return self._topic


@dataclass
class FakeProducer:
    """Queues records; ``poll`` reports their delivery (failing the topics in
    ``failing_topics``); ``buffer_full`` makes the next N produce calls raise."""

    buffer_full: int = 0
    failing_topics: set[str] = field(default_factory=set)
    sent: list[Produced] = field(default_factory=list)
    pending: list[tuple[Produced, Callable[..., None]]] = field(default_factory=list)
    polls: list[float] = field(default_factory=list)
    deliver_on_poll: bool = True

    def produce(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | str | None = None,
        on_delivery: Callable[..., None] | None = None,
    ) -> None:
        if self.buffer_full > 0:
            self.buffer_full -= 1
            raise BufferError("Local: Queue full")
        assert value is not None and on_delivery is not None
        self.pending.append((Produced(topic, value, key), on_delivery))

    def poll(self, timeout: float = 0) -> int:
        self.polls.append(timeout)
        return self._deliver() if self.deliver_on_poll else 0

    def _deliver(self) -> int:
        served = len(self.pending)
        for record, on_delivery in self.pending:
            if record.topic in self.failing_topics:
                on_delivery(
                    KafkaError(KafkaError._MSG_TIMED_OUT),
                    FakeKafkaMessage(record.topic),
                )
            else:
                self.sent.append(record)
                on_delivery(None, FakeKafkaMessage(record.topic))
        self.pending.clear()
        return served

    def flush(self, timeout: float = 0) -> int:
        self._deliver()
        return 0


def log_message(name: str, value: float, ns: int = 1) -> Message[Any]:
    return Message(Timestamp(ns), StreamId(StreamKind.LOG, name), value)


def to_f144(message: Message[Any]) -> Record:
    payload = serialise_f144(message.stream.name, message.value, message.timestamp.ns)
    return Record(f"topic_{message.stream.name}", message.stream.name.encode(), payload)


def test_publishes_serialised_messages_with_keys_and_serves_deliveries() -> None:
    producer = FakeProducer()
    sink = KafkaSink(producer, to_f144, Counters())
    sink.publish_messages([log_message("a", 1.0, 10), log_message("b", 2.0, 20)])
    assert [(p.topic, p.key) for p in producer.sent] == [
        ("topic_a", b"a"),
        ("topic_b", b"b"),
    ]
    decoded = deserialise_f144(producer.sent[1].value)
    assert (decoded.source_name, decoded.value, decoded.timestamp_unix_ns) == (
        "b",
        2.0,
        20,
    )
    assert producer.polls == [0]  # poll(0): never waits on the network
    assert sink.counters.get("delivered_messages") == 2


def test_serialise_errors_are_counted_and_the_rest_still_published() -> None:
    def picky(message: Message[Any]) -> Record:
        if message.value < 0:
            raise ValueError("negative")
        return to_f144(message)

    producer = FakeProducer()
    sink = KafkaSink(producer, picky, Counters())
    sink.publish_messages([log_message("a", -1.0), log_message("a", 3.0)])
    assert sink.counters.get("serialise_errors") == 1
    assert [deserialise_f144(p.value).value for p in producer.sent] == [3.0]


def test_delivery_failures_are_counted() -> None:
    producer = FakeProducer(failing_topics={"topic_bad"})
    sink = KafkaSink(producer, to_f144, Counters())
    sink.publish_messages([log_message("bad", 1.0), log_message("good", 1.0)])
    assert sink.counters.get("delivery_errors") == 1
    assert sink.counters.get("delivered_messages") == 1


def test_full_client_queue_is_polled_and_retried_once() -> None:
    producer = FakeProducer(buffer_full=1)
    sink = KafkaSink(producer, to_f144, Counters(), queue_full_wait=0.01)
    sink.publish_messages([log_message("a", 1.0)])
    assert len(producer.sent) == 1
    assert producer.polls[0] == 0.01
    assert sink.counters.get("produce_dropped") == 0


def test_still_full_after_the_retry_drops_and_counts() -> None:
    producer = FakeProducer(buffer_full=2)
    sink = KafkaSink(producer, to_f144, Counters(), queue_full_wait=0.01)
    sink.publish_messages([log_message("a", 1.0), log_message("a", 2.0)])
    assert sink.counters.get("produce_dropped") == 1
    assert [deserialise_f144(p.value).value for p in producer.sent] == [2.0]


def test_close_flushes_pending_records() -> None:
    producer = FakeProducer(deliver_on_poll=False)
    sink = KafkaSink(producer, to_f144, Counters())
    sink.publish_messages([log_message("a", 1.0)])
    assert producer.sent == []
    assert sink.close(timeout=1) == 0
    assert len(producer.sent) == 1


@pytest.mark.parametrize("base", [None, {"security.protocol": "SASL_SSL"}])
def test_producer_config_passes_settings_through(base: dict[str, str] | None) -> None:
    config = make_producer_config("host:9092", base)
    assert config["bootstrap.servers"] == "host:9092"
    assert config["message.max.bytes"] == 100_971_520
    for key, value in (base or {}).items():
        assert config[key] == value


def test_results_that_cannot_be_delivered_are_a_warning_until_one_is() -> None:
    producer = FakeProducer(failing_topics={"topic_bad"})
    sink = KafkaSink(producer, to_f144, Counters())
    assert sink.warning is None
    sink.publish_messages([log_message("bad", 1.0), log_message("good", 1.0)])
    assert sink.warning is not None
    assert sink.warning.startswith("cannot deliver to topic_bad:")
    producer.failing_topics.clear()
    sink.publish_messages([log_message("bad", 2.0)])
    assert sink.warning is None
