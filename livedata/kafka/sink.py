"""Publish core messages to Kafka without blocking the processing loop.

``produce`` only queues a record in the client; delivery reports are served by
``poll(0)`` after each publish. Nothing raises into the caller: a message that
cannot be serialised, queued or delivered is counted and logged in one line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from confluent_kafka import KafkaError

from ..core.message import Message
from ..core.metrics import Counters

logger = logging.getLogger(__name__)

# Producers of the peers allow ~96 MiB messages (docs/wire.md).
PRODUCER_DEFAULTS: Mapping[str, Any] = {"message.max.bytes": 100_971_520}


LIBRDKAFKA_LOGGER = logging.getLogger("livedata.kafka.librdkafka")
FAILURE_MEMORY_S = 30.0  # a failed delivery older than this no longer warns


def make_producer_config(
    bootstrap: str, base_config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A producer config; ``base_config`` (security, tuning) passes untouched.

    librdkafka's own log goes to Python logging (not straight to stderr, where it
    would tear through the console and the CLI's one-line errors).
    """
    return {
        "logger": LIBRDKAFKA_LOGGER,
        **PRODUCER_DEFAULTS,
        **(base_config or {}),
        "bootstrap.servers": bootstrap,
        # A producer must never create a topic by writing to it: after a broker
        # restart that made topics with the broker's defaults before `topics
        # create` ran (issue 11). Missing topics are an error, said once.
        "allow.auto.create.topics": False,
    }


class OutgoingRecordLike(Protocol):
    """What a serialiser returns: one record for one topic."""

    @property
    def topic(self) -> str: ...
    @property
    def key(self) -> bytes | str | None: ...
    @property
    def value(self) -> bytes: ...


class ProducerLike(Protocol):
    """The part of confluent-kafka's ``Producer`` the sink uses."""

    def produce(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | str | None = None,
        on_delivery: Callable[[KafkaError | None, Any], None] | None = None,
    ) -> None: ...
    def poll(self, timeout: float = ...) -> int: ...
    def flush(self, timeout: float = ...) -> int: ...


Serialise = Callable[[Message[Any]], OutgoingRecordLike]


class KafkaSink:
    """A ``MessageSink`` writing serialised messages to a Kafka producer.

    Counters: ``serialise_errors``, ``produce_dropped`` (client queue still full
    after one retry), ``delivery_errors`` and ``delivered_messages``.
    """

    def __init__(
        self,
        producer: ProducerLike,
        serialise: Serialise,
        counters: Counters | None = None,
        *,
        queue_full_wait: float = 0.1,
        close_timeout: float = 5.0,
    ) -> None:
        self._producer = producer
        self._serialise = serialise
        self.counters = counters if counters is not None else Counters()
        self._queue_full_wait = queue_full_wait
        self._close_timeout = close_timeout
        # topic -> (monotonic time, error) of a failed delivery not followed by
        # a successful one: results that vanish must show in the heartbeat.
        self._failing: dict[str, tuple[float, str]] = {}

    @property
    def warning(self) -> str | None:
        """Why results are not getting out (a heartbeat's reason for WARN)."""
        recent = {
            topic: error
            for topic, (at, error) in list(self._failing.items())
            if time.monotonic() - at < FAILURE_MEMORY_S
        }
        if not recent:
            return None
        topic, error = sorted(recent.items())[0]
        more = f" (and {len(recent) - 1} more topics)" if len(recent) > 1 else ""
        return f"cannot deliver to {topic}: {error}{more}"

    def publish_messages(self, messages: list[Message[Any]]) -> None:
        for message in messages:
            try:
                record = self._serialise(message)
            except Exception as exc:
                self.counters.increment("serialise_errors")
                logger.warning("could not serialise %s: %r", message.stream, exc)
                continue
            self._produce(record)
        self._producer.poll(0)

    def _produce(self, record: OutgoingRecordLike) -> None:
        for attempt in (1, 2):
            try:
                self._producer.produce(
                    record.topic,
                    value=record.value,
                    key=record.key,
                    on_delivery=self._on_delivery,
                )
                return
            except BufferError:
                if attempt == 1:
                    # Serve delivery reports to make room, briefly.
                    self._producer.poll(self._queue_full_wait)
            except Exception as exc:  # e.g. message too large, unknown topic
                self.counters.increment("produce_errors")
                logger.warning("could not produce to %s: %r", record.topic, exc)
                return
        self.counters.increment("produce_dropped")
        logger.warning("producer queue full: dropped a message for %s", record.topic)

    def _on_delivery(self, error: KafkaError | None, record: Any) -> None:
        topic = record.topic() if record is not None else "?"
        if error is None:
            self.counters.increment("delivered_messages")
            self._failing.pop(topic, None)
            return
        self.counters.increment("delivery_errors")
        self._failing[topic] = (time.monotonic(), error.str())
        logger.warning("delivery to %s failed: %s", topic, error.str())

    def close(self, timeout: float | None = None) -> int:
        """Flush what is queued; returns how many records are still undelivered."""
        remaining = self._producer.flush(
            self._close_timeout if timeout is None else timeout
        )
        if remaining:
            logger.warning("%d messages not delivered before close", remaining)
        return remaining
