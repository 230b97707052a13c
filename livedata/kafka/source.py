"""Kafka consumption on a background thread, drained by the processing loop (C2, G3).

The processing thread must never wait on the network, and a slow processing
cycle must not make the consumer fall behind forever: a daemon thread polls
Kafka, adapts records to core messages and queues them in bounded batches;
when the queue is full the *oldest* batch is dropped (fresh data matters more
than stale data) and counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from confluent_kafka import KafkaError, TopicPartition

from ..core.message import Message
from ..core.metrics import Counters

logger = logging.getLogger(__name__)


class KafkaRecordLike(Protocol):
    """What ``consume()`` returns: confluent-kafka's ``Message`` surface we use."""

    def error(self) -> KafkaError | None: ...
    def topic(self) -> str | None: ...
    def partition(self) -> int | None: ...
    def offset(self) -> int | None: ...
    def key(self) -> bytes | None: ...
    def value(self) -> bytes | None: ...
    def timestamp(self) -> tuple[int, int]: ...


class ConsumerLike(Protocol):
    """The part of confluent-kafka's ``Consumer`` the source uses."""

    def consume(self, num_messages: int, timeout: float) -> list[Any]: ...
    def assignment(self) -> list[TopicPartition]: ...
    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]: ...
    def get_watermark_offsets(
        self,
        partition: TopicPartition,
        timeout: float | None = None,
        cached: bool = False,
    ) -> tuple[int, int] | None: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ConsumedRecord:
    """One Kafka record as handed to ``adapt``: the fields of a RawMessage and
    where it came from."""

    topic: str
    value: bytes
    key: bytes | None
    timestamp_ms: int
    partition: int = 0
    offset: int = -1

    @classmethod
    def from_kafka(cls, record: KafkaRecordLike) -> ConsumedRecord:
        _, timestamp_ms = record.timestamp()
        return cls(
            topic=record.topic() or "",
            value=record.value() or b"",
            key=record.key(),
            timestamp_ms=timestamp_ms,
            partition=record.partition() or 0,
            offset=record.offset() if record.offset() is not None else -1,
        )


Adapt = Callable[[Any], Message[Any] | None]


@dataclass(frozen=True)
class SourceHealth:
    """A snapshot for heartbeats and the console."""

    thread_alive: bool
    healthy: bool
    consecutive_errors: int
    last_error: str | None
    seconds_since_last_message: float | None
    queued_batches: int
    # (topic, partition) -> messages behind the high watermark; None = unknown.
    lag: Mapping[tuple[str, int], int | None]
    # (topic, partition) -> the last high watermark seen; None = not yet known.
    high_watermarks: Mapping[tuple[str, int], int | None]


class BackgroundMessageSource:
    """A ``MessageSource`` fed by a daemon thread polling a Kafka consumer.

    The source owns the consumer: :meth:`stop` closes it. ``adapt`` turns one
    record (a :class:`ConsumedRecord` unless ``to_record`` says otherwise) into
    a core message, or ``None`` to drop it (the adapter counts why).
    """

    def __init__(
        self,
        consumer: ConsumerLike,
        adapt: Adapt,
        *,
        counters: Counters | None = None,
        max_queue_batches: int = 100,
        poll_batch: int = 1000,
        poll_timeout: float = 0.1,
        circuit_breaker_errors: int = 10,
        lag_interval: float = 1.0,
        to_record: Callable[[KafkaRecordLike], Any] = ConsumedRecord.from_kafka,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_queue_batches < 1 or circuit_breaker_errors < 1:
            raise ValueError(
                "max_queue_batches and circuit_breaker_errors must be >= 1"
            )
        self._consumer = consumer
        self._adapt = adapt
        self._to_record = to_record
        self.counters = counters if counters is not None else Counters()
        self._max_batches = max_queue_batches
        self._poll_batch = poll_batch
        self._poll_timeout = poll_timeout
        self._breaker_errors = circuit_breaker_errors
        self._clock = clock
        self._lag_interval = lag_interval

        self._lock = threading.Lock()
        self._queue: deque[list[Message[Any]]] = deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._consecutive_errors = 0
        self._last_error: str | None = None
        self._breaker_open = False
        self._last_message_at: float | None = None
        self._lag: dict[tuple[str, int], int | None] = {}
        self._high_watermarks: dict[tuple[str, int], int | None] = {}
        self._lag_measured_at: float | None = None

    # --- lifecycle -------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name="kafka-background-source", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling, join the thread, close the consumer (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("background source thread did not stop in %s s", timeout)
                return  # closing under a running consume() is unsafe
        if not self._closed:
            self._closed = True
            try:
                self._consumer.close()
            except Exception as exc:
                logger.warning("closing the consumer failed: %s", exc)

    # --- MessageSource -----------------------------------------------------

    def get_messages(self) -> list[Message[Any]]:
        """Everything queued since the last call, oldest first; never blocks."""
        with self._lock:
            batches = list(self._queue)
            self._queue.clear()
        return [message for batch in batches for message in batch]

    # --- health ------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        return not self._breaker_open

    def health(self) -> SourceHealth:
        alive = self._thread is not None and self._thread.is_alive()
        with self._lock:
            return SourceHealth(
                thread_alive=alive,
                healthy=self.healthy,
                consecutive_errors=self._consecutive_errors,
                last_error=self._last_error,
                seconds_since_last_message=(
                    None
                    if self._last_message_at is None
                    else self._clock() - self._last_message_at
                ),
                queued_batches=len(self._queue),
                lag=dict(self._lag),
                high_watermarks=dict(self._high_watermarks),
            )

    def _measure_lag(self) -> None:
        """Lag per assigned partition, measured on the polling thread.

        confluent-kafka deadlocks when another thread calls the consumer during
        ``consume()``, so the thread measures and :meth:`health` reads a copy.
        Cached watermarks only: no network round trip. Unknown gives ``None``.
        """
        lag: dict[tuple[str, int], int | None] = {}
        marks: dict[tuple[str, int], int | None] = {}
        try:
            positions = self._consumer.position(self._consumer.assignment())
        except Exception:
            positions = []
        for tp in positions:
            key = (tp.topic, tp.partition)
            high = self._cached_high_watermark(tp)
            marks[key] = high
            if tp.offset < 0 or high is None:
                lag[key] = None
            else:
                # The embedded broker's high watermark can trail the position.
                lag[key] = max(0, high - tp.offset)
        with self._lock:
            self._lag = lag
            self._high_watermarks = marks
            self._lag_measured_at = self._clock()

    def _cached_high_watermark(self, tp: TopicPartition) -> int | None:
        try:
            marks = self._consumer.get_watermark_offsets(
                TopicPartition(tp.topic, tp.partition), cached=True
            )
        except Exception:
            return None
        if marks is None or marks[1] < 0:
            return None
        return marks[1]

    # --- the thread ----------------------------------------------------------

    def _run(self) -> None:
        try:
            self._poll_until_stopped()
        except Exception as exc:  # a bug, not a Kafka error: say so, do not hide it
            logger.exception("kafka source thread crashed")
            with self._lock:
                self._breaker_open = True
                self._last_error = repr(exc)

    def _poll_until_stopped(self) -> None:
        while not self._stop.is_set():
            try:
                records = self._consumer.consume(self._poll_batch, self._poll_timeout)
            except Exception as exc:
                if self._on_consume_error(str(exc)):
                    return
                self._stop.wait(min(0.05 * self._consecutive_errors, 1.0))
                continue
            batch, fatal = self._adapt_all(records)
            if fatal is not None:
                if self._on_consume_error(fatal):
                    return
            else:
                self._consecutive_errors = 0
            if batch:
                self._enqueue(batch)
            if (
                self._lag_measured_at is None
                or self._clock() - self._lag_measured_at >= self._lag_interval
            ):
                self._measure_lag()

    def _on_consume_error(self, error: str) -> bool:
        """Count one failed consume; True when the circuit breaker opens."""
        self._consecutive_errors += 1
        self._last_error = error
        self.counters.increment("consume_errors")
        logger.warning(
            "kafka consume failed (%d in a row): %s", self._consecutive_errors, error
        )
        if self._consecutive_errors >= self._breaker_errors:
            self._breaker_open = True
            logger.error(
                "kafka source stopped after %d consecutive errors: %s",
                self._consecutive_errors,
                error,
            )
            return True
        return False

    def _adapt_all(self, records: list[Any]) -> tuple[list[Message[Any]], str | None]:
        """Adapted messages, and the text of a fatal client error if any."""
        batch: list[Message[Any]] = []
        fatal: str | None = None
        for record in records:
            error = record.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                self.counters.increment("kafka_message_errors")
                logger.warning("kafka message error: %s", error.str())
                if error.fatal():
                    fatal = error.str()
                continue
            with self._lock:
                self._last_message_at = self._clock()
            try:
                message = self._adapt(self._to_record(record))
            except Exception as exc:
                self.counters.increment("adapt_errors")
                logger.warning(
                    "adapting a message from %s failed: %r", record.topic(), exc
                )
                continue
            if message is not None:
                batch.append(message)
        return batch, fatal

    def _enqueue(self, batch: list[Message[Any]]) -> None:
        with self._lock:
            if len(self._queue) >= self._max_batches:
                dropped = self._queue.popleft()
                self.counters.increment("queue_overflow_batches")
                self.counters.increment("queue_overflow_messages", len(dropped))
                overflows = self.counters.get("queue_overflow_batches")
                if overflows == 1 or overflows % 100 == 0:
                    logger.warning(
                        "message queue full: dropped the oldest batch (%d so far)",
                        overflows,
                    )
            self._queue.append(batch)
