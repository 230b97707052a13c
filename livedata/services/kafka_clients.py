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
