"""The Kafka side of a service's start-up: broker check, consumer, producer.

Each step fails in one line an operator can act on: :class:`BrokerUnreachable`
(no broker, or it stopped answering), :class:`ConfigError` (settings librdkafka
refuses) or :class:`StartupFailed` (topics missing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from ..config import ConfigError, load_config
from ..config.kafka_connection import KafkaConnection
from ..core.metrics import Counters
from ..core.stream import StreamKind
from ..kafka.admin import BrokerUnreachable
from ..kafka.consumer import (
    TopicsNotFound,
    assign_from_now,
    make_consumer_config,
    topic_partitions,
)
from ..kafka.routing import build_service_adapter
from ..kafka.serialisers import Serialiser
from ..kafka.sink import KafkaSink, make_producer_config
from ..kafka.source import BackgroundMessageSource
from ..kafka.stream_mapping import StreamMapping
from .settings import ServiceSettings

logger = logging.getLogger("livedata.service")

# What a service writes to: missing, its answers and heartbeats would vanish.
PRODUCED_KINDS = (
    StreamKind.LIVEDATA_RESPONSES,
    StreamKind.LIVEDATA_STATUS,
    StreamKind.LIVEDATA_DATA,
)


COMMIT_INTERVAL_S = 1.0


class StartupFailed(RuntimeError):
    """The service could not start; the message is one line for the operator."""


def check_broker(connection: KafkaConnection, timeout: float) -> None:
    """Raise :class:`BrokerUnreachable` unless the broker answers in time.

    Asked by a client with librdkafka's log silenced: a consumer asking instead
    would leave a hundred "Connect failed" lines in front of the one that says
    what is wrong.
    """
    from ..kafka.admin import check_reachable

    quiet = {**connection.settings, "log_level": 0}
    try:
        check_reachable(connection.bootstrap, quiet, timeout=timeout)
    except BrokerUnreachable:
        raise
    except Exception as exc:  # librdkafka refused the settings
        raise ConfigError(f"Kafka client settings refused: {_reason(exc)}") from None


def open_source(
    connection: KafkaConnection,
    settings: ServiceSettings,
    mapping: StreamMapping,
    topics: Sequence[str],
    group_id: str,
    counters: Counters,
) -> BackgroundMessageSource:
    """A source (not yet started) reading ``topics`` from their current end."""
    from confluent_kafka import Consumer

    config = make_consumer_config(
        connection.bootstrap,
        group_id,
        {**connection.settings, **load_config("consumer")},
    )
    consumer = _client(Consumer, config)
    try:
        produced = [mapping.livedata_topic(kind) for kind in PRODUCED_KINDS]
        position_at_end(consumer, topics, produced, connection, settings)
    except BaseException:
        consumer.close()
        raise
    return BackgroundMessageSource(
        consumer,
        build_service_adapter(mapping, counters, topics=topics).adapt,
        counters=counters,
        max_queue_batches=settings.queue_max_batches,
        max_queue_bytes=settings.queue_max_bytes,
        circuit_breaker_errors=settings.circuit_breaker_errors,
        # Committed offsets of this instance's own group: the broker can tell
        # how far behind it is, even when it is too stalled to say so itself.
        commit_interval=COMMIT_INTERVAL_S,
        group_id=config["group.id"],
    )


def open_sink(
    connection: KafkaConnection, instrument: str, counters: Counters
) -> KafkaSink:
    """The sink results, answers and heartbeats are produced through."""
    from confluent_kafka import Producer

    producer = _client(
        Producer,
        make_producer_config(
            connection.bootstrap,
            {**connection.settings, **load_config("producer")},
        ),
    )
    return KafkaSink(producer, Serialiser(instrument), counters)


def position_at_end(
    consumer: Any,
    topics: Sequence[str],
    produced: Sequence[str],
    connection: KafkaConnection,
    settings: ServiceSettings,
) -> None:
    """Check every topic exists and assign the inputs at their current end.

    The end is read now (the high watermarks), not left to librdkafka's
    logical ``OFFSET_END``, which resolves only at the first fetch: a command
    sent as soon as the service's first ``running`` heartbeat arrived could
    otherwise land before that and be skipped.
    """
    from confluent_kafka import KafkaException

    timeout = settings.kafka_timeout_s
    try:
        topic_partitions(consumer, [*topics, *produced], timeout)
        unresolved = assign_from_now(consumer, topics, timeout)
    except TopicsNotFound as err:
        raise StartupFailed(
            f"{err} (create them with `livedata kafka topics create`)"
        ) from None
    except KafkaException as exc:
        raise BrokerUnreachable(connection.bootstrap, timeout, _reason(exc)) from None
    if unresolved:
        logger.warning(
            "could not read the end offsets of %s; records produced there before"
            " the first fetch may be missed",
            ", ".join(f"{tp.topic}/{tp.partition}" for tp in unresolved),
        )


def _client(factory: Callable[[dict[str, Any]], Any], config: dict[str, Any]) -> Any:
    """A confluent-kafka client; settings librdkafka refuses are a ConfigError."""
    from confluent_kafka import KafkaException

    try:
        return factory(config)
    except KafkaException as exc:
        raise ConfigError(f"Kafka client settings refused: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    error = exc.args[0] if exc.args else None
    text = error.str() if hasattr(error, "str") else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def read_command_history(
    connection: KafkaConnection,
    mapping: StreamMapping,
    since: float,
    until: float,
    timeout: float,
    counters: Counters,
) -> list[Any]:
    """Commands on the commands topic sent between ``since`` and ``until``
    (Unix seconds), in the order they were sent (G5).

    What a restarted service folds into the jobs it must run again. Bounded by
    ``timeout``: a broker that does not deliver the history in time gives what
    came (logged), never a hang.
    """
    import time

    from confluent_kafka import Consumer

    from ..core.commands import JobCommand, WorkflowConfig
    from ..kafka.adapters import CommandAdapter
    from ..kafka.consumer import assign_all
    from ..kafka.raw import from_confluent

    topic = mapping.livedata_topic(StreamKind.LIVEDATA_COMMANDS)
    consumer = _client(
        Consumer,
        make_consumer_config(
            connection.bootstrap,
            f"{mapping.instrument}_history",
            {**connection.settings, **load_config("consumer")},
        ),
    )
    adapter = CommandAdapter()
    found: list[tuple[int, int, int, Any]] = []
    read, outside = 0, []
    try:
        partitions = assign_all(consumer, [topic], at="beginning", timeout=timeout)
        ends = {
            tp.partition: consumer.get_watermark_offsets(tp, timeout=timeout)[1]
            for tp in partitions
        }
        done = {p for p, high in ends.items() if high <= 0}
        deadline = time.monotonic() + timeout
        # The embedded broker's high watermark can trail the true end (it is the
        # last batch's base offset + 1): past the reported ends, read on until a
        # poll comes back empty, or the latest commands would be missed.
        while time.monotonic() < deadline:
            batch = consumer.consume(num_messages=1000, timeout=0.2)
            if not batch and len(done) >= len(ends):
                break
            for msg in batch:
                if msg.error():
                    continue
                if msg.offset() + 1 >= ends.get(msg.partition(), 0):
                    done.add(msg.partition())
                _, stamp_ms = msg.timestamp()
                read += 1
                if not since * 1000 <= stamp_ms < until * 1000:
                    outside.append(stamp_ms)
                    continue
                try:
                    command = adapter.adapt(from_confluent(msg)).value
                except Exception:
                    counters.increment("history_unreadable")
                    continue
                if isinstance(command, WorkflowConfig | JobCommand):
                    found.append((stamp_ms, msg.partition(), msg.offset(), command))
        if len(done) < len(ends):
            logger.warning(
                "read only part of the command history within %s s; jobs may be"
                " missing after this restart",
                timeout,
            )
    finally:
        consumer.close()
    logger.info(
        "command history: %d command(s) of %d message(s) on %s up to offsets %s;"
        " outside [%d, %d) ms: %s",
        len(found),
        read,
        topic,
        ends,
        since * 1000,
        until * 1000,
        outside[-5:],
    )
    found.sort(key=lambda item: item[:3])
    return [command for *_, command in found]
