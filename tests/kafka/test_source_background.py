"""BackgroundMessageSource: fakes for the thread, the embedded broker end to end."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from streaming_data_types.eventdata_ev44 import deserialise_ev44
from streaming_data_types.logdata_f144 import deserialise_f144, serialise_f144

from livedata.core.events import DetectorEvents
from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import RawMessage
from livedata.kafka.sink import KafkaSink, make_producer_config
from livedata.kafka.source import BackgroundMessageSource
from livedata.kafka.wire_builders import ev44_bytes


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def adapt_f144(record: RawMessage) -> Message[Any] | None:
    """A minimal adapter: f144 bytes -> a log message."""
    log = deserialise_f144(record.value)
    return Message(
        Timestamp(log.timestamp_unix_ns),
        StreamId(StreamKind.LOG, log.source_name),
        log.value,
    )


# --- fakes -------------------------------------------------------------------


@dataclass
class FakeRecord:
    payload: bytes = b""
    err: KafkaError | None = None
    topic_name: str = "topic"
    partition_index: int = 0
    at_offset: int = 0
    timestamp_ms: int = 1_000

    def error(self) -> KafkaError | None:
        return self.err

    def topic(self) -> str:
        return self.topic_name

    def partition(self) -> int:
        return self.partition_index

    def offset(self) -> int:
        return self.at_offset

    def key(self) -> bytes | None:
        return None

    def value(self) -> bytes:
        return self.payload

    def timestamp(self) -> tuple[int, int]:
        return (1, self.timestamp_ms)


def f144_record(name: str, value: float, offset: int = 0) -> FakeRecord:
    return FakeRecord(serialise_f144(name, value, 1_000 + offset), at_offset=offset)


class FakeConsumer:
    """Plays a script: each entry is a list of records to return, or an
    exception to raise; then returns nothing."""

    def __init__(self, script: list[list[FakeRecord] | Exception]) -> None:
        self._script = list(script)
        self._lock = threading.Lock()
        self.closed = False
        self.positions: dict[tuple[str, int], int] = {}
        self.high_watermarks: dict[tuple[str, int], int] = {}

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return not self._script

    def consume(self, num_messages: int, timeout: float) -> list[Any]:
        with self._lock:
            step = self._script.pop(0) if self._script else None
        if step is None:
            time.sleep(min(timeout, 0.01))
            return []
        if isinstance(step, Exception):
            raise step
        return step

    def assignment(self) -> list[TopicPartition]:
        return [TopicPartition(t, p) for t, p in self.positions]

    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        return [
            TopicPartition(
                tp.topic, tp.partition, self.positions[tp.topic, tp.partition]
            )
            for tp in partitions
        ]

    def get_watermark_offsets(
        self,
        partition: TopicPartition,
        timeout: float | None = None,
        cached: bool = False,
    ) -> tuple[int, int]:
        return (
            0,
            self.high_watermarks.get((partition.topic, partition.partition), -1001),
        )

    def close(self) -> None:
        self.closed = True


def consume_error() -> KafkaException:
    return KafkaException(KafkaError(KafkaError._TRANSPORT, "broker down"))


# --- unit tests ----------------------------------------------------------------


def test_adapted_messages_are_drained_in_order_without_blocking() -> None:
    consumer = FakeConsumer([[f144_record("a", 1.0, 0), f144_record("a", 2.0, 1)]])
    source = BackgroundMessageSource(consumer, adapt_f144)
    assert source.get_messages() == []
    source.start()
    wait_until(lambda: consumer.exhausted)
    wait_until(lambda: source.health().queued_batches == 1)
    messages = source.get_messages()
    source.stop()
    assert [m.value for m in messages] == [1.0, 2.0]
    assert messages[0].stream == StreamId(StreamKind.LOG, "a")
    assert source.get_messages() == []
    assert consumer.closed


def test_circuit_breaker_opens_after_consecutive_errors() -> None:
    consumer = FakeConsumer([consume_error() for _ in range(5)])
    counters = Counters()
    source = BackgroundMessageSource(
        consumer, adapt_f144, counters=counters, circuit_breaker_errors=3
    )
    source.start()
    wait_until(lambda: not source.health().thread_alive)
    health = source.health()
    assert not source.healthy
    assert not health.healthy
    assert health.consecutive_errors == 3
    assert health.last_error is not None and "broker down" in health.last_error
    assert counters.get("consume_errors") == 3
    assert not consumer.exhausted  # stopped polling at the third error
    source.stop()
    assert consumer.closed


def test_fatal_client_errors_count_towards_the_circuit_breaker() -> None:
    fatal = KafkaError(KafkaError._FATAL, "fenced", fatal=True)
    consumer = FakeConsumer([[FakeRecord(err=fatal)] for _ in range(3)])
    source = BackgroundMessageSource(consumer, adapt_f144, circuit_breaker_errors=2)
    source.start()
    wait_until(lambda: not source.health().thread_alive)
    source.stop()
    assert not source.healthy
    assert source.counters.get("kafka_message_errors") == 2
    assert source.health().last_error == "fenced"


def test_a_successful_consume_resets_the_error_count() -> None:
    script: list[list[FakeRecord] | Exception] = [
        consume_error(),
        consume_error(),
        [f144_record("a", 1.0)],
        consume_error(),
        consume_error(),
    ]
    consumer = FakeConsumer(script)
    source = BackgroundMessageSource(consumer, adapt_f144, circuit_breaker_errors=3)
    source.start()
    wait_until(lambda: consumer.exhausted)
    time.sleep(0.05)
    health = source.health()
    source.stop()
    assert health.healthy and health.thread_alive
    assert health.consecutive_errors == 2
    assert source.counters.get("consume_errors") == 4


def test_message_errors_are_counted_but_partition_eof_is_not() -> None:
    def boom(record: RawMessage) -> Message[Any] | None:
        if record.value == b"bad":
            raise ValueError("not f144")
        return adapt_f144(record)

    script: list[list[FakeRecord] | Exception] = [
        [
            FakeRecord(err=KafkaError(KafkaError._PARTITION_EOF)),
            FakeRecord(err=KafkaError(KafkaError._MSG_TIMED_OUT, "slow")),
            FakeRecord(b"bad"),
            f144_record("a", 7.0),
        ]
    ]
    consumer = FakeConsumer(script)
    source = BackgroundMessageSource(consumer, boom)
    source.start()
    wait_until(lambda: source.health().queued_batches == 1)
    messages = source.get_messages()
    source.stop()
    assert [m.value for m in messages] == [7.0]
    assert source.counters.get("kafka_message_errors") == 1
    assert source.counters.get("adapt_errors") == 1
    assert source.healthy


def test_adapter_returning_none_drops_silently_and_still_counts_as_traffic() -> None:
    consumer = FakeConsumer([[f144_record("a", 1.0)]])
    source = BackgroundMessageSource(consumer, lambda record: None)
    assert source.health().seconds_since_last_message is None
    source.start()
    wait_until(lambda: source.health().seconds_since_last_message is not None)
    source.stop()
    assert source.get_messages() == []
    assert source.health().queued_batches == 0


def test_full_queue_drops_the_oldest_batches_and_counts_them() -> None:
    batches: list[list[FakeRecord] | Exception] = [
        [f144_record("a", float(i), i), f144_record("a", float(i) + 0.5, i)]
        for i in range(10)
    ]
    consumer = FakeConsumer(batches)
    counters = Counters()
    source = BackgroundMessageSource(
        consumer, adapt_f144, counters=counters, max_queue_batches=3
    )
    source.start()
    wait_until(lambda: consumer.exhausted)
    wait_until(lambda: counters.get("queue_dropped_batches") == 7)
    messages = source.get_messages()
    source.stop()
    assert [m.value for m in messages] == [7.0, 7.5, 8.0, 8.5, 9.0, 9.5]
    assert counters.get("queue_dropped_messages") == 14


def test_lag_is_unknown_until_position_and_watermark_are_known() -> None:
    consumer = FakeConsumer([])
    consumer.positions = {("t", 0): -1001, ("t", 1): 5, ("t", 2): 10, ("t", 3): 4}
    consumer.high_watermarks = {("t", 2): 8, ("t", 3): 9}
    source = BackgroundMessageSource(consumer, adapt_f144, lag_interval=0.01)
    assert source.health().lag == {}
    source.start()
    wait_until(lambda: len(source.health().lag) == 4)
    health = source.health()
    source.stop()
    # Unknown is None, never 0; a watermark behind the position means caught up.
    assert health.lag == {("t", 0): None, ("t", 1): None, ("t", 2): 0, ("t", 3): 5}
    assert health.high_watermarks == {
        ("t", 0): None,
        ("t", 1): None,
        ("t", 2): 8,
        ("t", 3): 9,
    }


def adapt_ev44(record: RawMessage) -> Message[Any] | None:
    ev = deserialise_ev44(record.value)
    events = DetectorEvents(ev.pixel_id, ev.time_of_flight)
    stream = StreamId(StreamKind.DETECTOR_EVENTS, ev.source_name)
    return Message(Timestamp(int(ev.reference_time[0])), stream, events)


def ev44_record(n_events: int, offset: int) -> FakeRecord:
    payload = ev44_bytes(
        "panel", 1_000 + offset, np.arange(n_events), np.zeros(n_events), offset
    )
    return FakeRecord(payload, at_offset=offset)


def test_queue_bytes_are_bounded_dropping_the_oldest_batches() -> None:
    records = [ev44_record(1000, i) for i in range(10)]
    size = len(records[0].payload)
    assert all(len(r.payload) == size for r in records)
    consumer = FakeConsumer([[r] for r in records])
    counters = Counters()
    source = BackgroundMessageSource(
        consumer,
        adapt_ev44,
        counters=counters,
        max_queue_batches=100,
        max_queue_bytes=3 * size,  # three messages fit
    )
    source.start()
    wait_until(lambda: consumer.exhausted)
    wait_until(lambda: counters.get("queue_dropped_batches") == 7)
    health = source.health()
    messages = source.get_messages()
    source.stop()
    assert health.queued_batches == 3
    assert health.queued_bytes == 3 * size
    assert [m.timestamp.ns for m in messages] == [1_007, 1_008, 1_009]
    assert counters.get("queue_dropped_messages") == 7
    assert counters.get("queue_dropped_events") == 7_000
    assert counters.get("queue_dropped_bytes") == 7 * size
    assert source.health().queued_bytes == 0  # drained


def test_a_batch_larger_than_the_byte_bound_replaces_the_older_ones() -> None:
    small, big = ev44_record(10, 0), ev44_record(5000, 1)
    consumer = FakeConsumer([[small], [big]])
    counters = Counters()
    source = BackgroundMessageSource(
        consumer, adapt_ev44, counters=counters, max_queue_bytes=len(big.payload) - 1
    )
    source.start()
    wait_until(lambda: consumer.exhausted)
    wait_until(lambda: counters.get("queue_dropped_batches") == 1)
    messages = source.get_messages()
    source.stop()
    # The newest data stays even alone above the bound (librdkafka bounds it).
    assert [len(m.value) for m in messages] == [5000]
    assert counters.get("queue_dropped_events") == 10
    assert counters.get("queue_dropped_bytes") == len(small.payload)


def test_drops_of_non_event_messages_count_no_events() -> None:
    consumer = FakeConsumer([[f144_record("a", float(i), i)] for i in range(3)])
    counters = Counters()
    source = BackgroundMessageSource(
        consumer, adapt_f144, counters=counters, max_queue_batches=1
    )
    source.start()
    wait_until(lambda: consumer.exhausted)
    wait_until(lambda: counters.get("queue_dropped_batches") == 2)
    source.stop()
    assert counters.get("queue_dropped_messages") == 2
    assert counters.get("queue_dropped_events") == 0
    assert counters.get("queue_dropped_bytes") > 0


def test_time_lag_is_now_minus_last_record_time_when_behind() -> None:
    now_s = 2_000_000.0
    records = [
        FakeRecord(
            serialise_f144("a", 1.0, 1),
            topic_name="t",
            partition_index=0,
            at_offset=4,
            timestamp_ms=1_999_990_000,
        ),
        FakeRecord(
            serialise_f144("a", 2.0, 2),
            topic_name="t",
            partition_index=1,
            at_offset=7,
            timestamp_ms=1_999_999_500,
        ),
    ]
    consumer = FakeConsumer([records])
    consumer.positions = {("t", 0): 5, ("t", 1): 8, ("t", 2): 3, ("t", 3): 0}
    # Partition 0 is behind, 1 caught up, 2 unknown, 3 behind with no record yet.
    consumer.high_watermarks = {("t", 0): 9, ("t", 1): 8, ("t", 3): 4}
    source = BackgroundMessageSource(
        consumer, adapt_f144, lag_interval=0.01, wall_clock=lambda: now_s
    )
    source.start()
    wait_until(lambda: consumer.exhausted)
    time.sleep(0.05)  # one more measurement after the records
    health = source.health()
    stats = source.stream_stats()
    source.stop()
    assert health.lag == {("t", 0): 4, ("t", 1): 0, ("t", 2): None, ("t", 3): 4}
    assert health.time_lag_s == {
        ("t", 0): pytest.approx(10.0),
        ("t", 1): 0.0,
        ("t", 2): None,
        ("t", 3): None,
    }
    assert stats == {
        "consumer_lag": {"t/0": 4, "t/1": 0, "t/2": None, "t/3": 4},
        "consumer_time_lag_s": {
            "t/0": pytest.approx(10.0),
            "t/1": 0.0,
            "t/2": None,
            "t/3": None,
        },
    }


def test_stream_stats_are_empty_mappings_before_the_first_measurement() -> None:
    source = BackgroundMessageSource(FakeConsumer([]), adapt_f144)
    assert source.stream_stats() == {"consumer_lag": {}, "consumer_time_lag_s": {}}


# --- with the embedded broker ----------------------------------------------------


def publish_logs(bootstrap: str, topic: str, values: list[float]) -> KafkaSink:
    producer = Producer(make_producer_config(bootstrap, {"linger.ms": 5}))

    @dataclass(frozen=True)
    class Record:
        topic: str
        key: bytes | None
        value: bytes

    def serialise(message: Message[Any]) -> Record:
        payload = serialise_f144(
            message.stream.name, message.value, message.timestamp.ns
        )
        return Record(topic, message.stream.name.encode(), payload)

    sink = KafkaSink(producer, serialise, Counters())
    sink.publish_messages(
        [
            Message(Timestamp(1_000 + i), StreamId(StreamKind.LOG, "motor"), v)
            for i, v in enumerate(values)
        ]
    )
    assert sink.close(timeout=10) == 0
    return sink


def started_source(
    bootstrap: str, topic: str, **options: Any
) -> BackgroundMessageSource:
    consumer = Consumer(make_consumer_config(bootstrap, "test"))
    assign_all(consumer, [topic], at="end")
    source = BackgroundMessageSource(consumer, adapt_f144, lag_interval=0.02, **options)
    source.start()
    # OFFSET_END is resolved before the first fetch, which also caches the
    # watermarks: produce only once they are known.
    wait_until(lambda: source.health().high_watermarks.get((topic, 0)) is not None)
    return source


@pytest.mark.integration
def test_round_trip_through_the_broker_keeps_order(kafka_broker, new_topic) -> None:
    topic = new_topic("roundtrip")
    source = started_source(kafka_broker.bootstrap, topic)
    values = [float(i) for i in range(200)]
    sink = publish_logs(kafka_broker.bootstrap, topic, values)
    received: list[Message[Any]] = []
    wait_until(lambda: received.extend(source.get_messages()) or len(received) >= 200)
    # Measured on the polling thread shortly after the last fetch.
    wait_until(lambda: source.health().lag == {(topic, 0): 0})
    health = source.health()
    source.stop()
    assert sink.counters.get("delivered_messages") == 200
    assert [m.value for m in received] == values
    assert [m.timestamp.ns for m in received] == [1_000 + i for i in range(200)]
    assert health.healthy and health.thread_alive
    assert health.seconds_since_last_message is not None
    assert source.counters.snapshot().get("kafka_message_errors", 0) == 0


@pytest.mark.integration
def test_assignment_at_end_skips_earlier_messages(kafka_broker, new_topic) -> None:
    topic = new_topic("atend")
    # One record per producer batch: the broker's high watermark trails the
    # true end by one batch (see livedata.kafka.broker).
    for value in (1.0, 2.0, 3.0):
        publish_logs(kafka_broker.bootstrap, topic, [value])
    source = started_source(kafka_broker.bootstrap, topic)
    publish_logs(kafka_broker.bootstrap, topic, [10.0, 11.0])
    received: list[Message[Any]] = []
    wait_until(lambda: received.extend(source.get_messages()) or len(received) >= 2)
    time.sleep(0.3)
    received.extend(source.get_messages())
    source.stop()
    assert [m.value for m in received] == [10.0, 11.0]


@pytest.mark.integration
def test_assignment_at_beginning_sees_history(kafka_broker, new_topic) -> None:
    topic = new_topic("atstart")
    publish_logs(kafka_broker.bootstrap, topic, [1.0, 2.0, 3.0])
    consumer = Consumer(make_consumer_config(kafka_broker.bootstrap, "test"))
    assign_all(consumer, [topic], at="beginning")
    source = BackgroundMessageSource(consumer, adapt_f144)
    source.start()
    received: list[Message[Any]] = []
    wait_until(lambda: received.extend(source.get_messages()) or len(received) >= 3)
    source.stop()
    assert [m.value for m in received] == [1.0, 2.0, 3.0]


@pytest.mark.integration
def test_slow_reader_loses_the_oldest_batches(kafka_broker, new_topic) -> None:
    topic = new_topic("overflow")
    counters = Counters()
    source = started_source(
        kafka_broker.bootstrap,
        topic,
        counters=counters,
        max_queue_batches=4,
        poll_batch=1,
    )
    publish_logs(kafka_broker.bootstrap, topic, [float(i) for i in range(20)])
    # Nobody reads while all 20 single-message batches arrive.
    wait_until(lambda: counters.get("queue_dropped_batches") == 16)
    messages = source.get_messages()
    source.stop()
    assert [m.value for m in messages] == [16.0, 17.0, 18.0, 19.0]
    assert counters.get("queue_dropped_messages") == 16
