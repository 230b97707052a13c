"""Runs one processing service against Kafka until SIGTERM/SIGINT (G4)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any

from ..config import kafka_client_config, load_config, redact
from ..core.message import Message, MessageSink
from ..core.metrics import Counters
from ..core.service import Service
from ..core.status import ServiceStatus
from ..instruments import get_instrument
from ..kafka.consumer import TopicsNotFound, assign_all, make_consumer_config
from ..kafka.routing import build_service_adapter
from ..kafka.serialisers import Serialiser
from ..kafka.sink import KafkaSink, make_producer_config
from ..kafka.source import BackgroundMessageSource
from .builder import build_processor, service_kind

logger = logging.getLogger("livedata.service")

_SECURITY_KEYS = (
    "security.protocol",
    "sasl.mechanism",
    "sasl.username",
    "sasl.password",
)


class StreamStatsSink:
    """Adds the source's ``stream_stats`` to the service heartbeats it forwards.

    Interim: ``build_processor`` does not yet pass a ``stream_stats`` callable
    to ``HeartbeatPublisher``; once it does, hand ``source.stream_stats`` there
    and drop this wrapper.
    """

    def __init__(
        self, sink: MessageSink, stream_stats: Callable[[], Mapping[str, Any]]
    ) -> None:
        self._sink = sink
        self._stream_stats = stream_stats

    def publish_messages(self, messages: list[Message[Any]]) -> None:
        self._sink.publish_messages([self._with_stats(m) for m in messages])

    def _with_stats(self, message: Message[Any]) -> Message[Any]:
        if not isinstance(message.value, ServiceStatus):
            return message
        stats = {**message.value.stream_stats, **self._stream_stats()}
        status = message.value.model_copy(update={"stream_stats": stats})
        return Message(message.timestamp, message.stream, status)


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def run_service(
    instrument_name: str, service: str, *, dev: bool, bootstrap: str | None
) -> int:
    """Exit code 0 after a graceful stop, 1 after an error."""
    kind = service_kind(service)
    instrument = get_instrument(instrument_name)
    mapping = instrument.stream_mapping(dev)
    client = kafka_client_config(bootstrap)
    security = {k: v for k, v in client.items() if k in _SECURITY_KEYS}
    address = client["bootstrap.servers"]
    logger.info(
        "starting %s for %s (%s) on %s with %s",
        service,
        instrument.name,
        "DEV" if dev else "PROD",
        address,
        redact(security),
    )
    service_config = load_config("service")
    counters = Counters()

    from confluent_kafka import Consumer, Producer

    consumer = Consumer(
        make_consumer_config(
            address,
            f"{instrument.name}_{service}",
            {**load_config("consumer"), **security},
        )
    )
    topics = kind.topics(mapping)
    try:
        assign_all(consumer, topics, at="end")
    except TopicsNotFound as err:
        logger.error("%s (create them with `livedata kafka topics create`)", err)
        consumer.close()
        return 1
    adapter = build_service_adapter(mapping, counters, topics=topics)
    source = BackgroundMessageSource(
        consumer,
        adapter.adapt,
        counters=counters,
        max_queue_batches=int(service_config["queue_max_batches"]),
        max_queue_bytes=int(service_config["queue_max_bytes"]),
        circuit_breaker_errors=int(service_config["circuit_breaker_errors"]),
    )
    producer = Producer(
        make_producer_config(address, {**load_config("producer"), **security})
    )
    sink = KafkaSink(producer, Serialiser(instrument.name), counters)
    processor = build_processor(
        instrument,
        service,
        source,
        StreamStatsSink(sink, source.stream_stats),
        counters=counters,
    )
    source.start()
    try:
        code = Service(
            processor,
            name=f"{instrument.name}:{service}",
            poll_interval=float(service_config["poll_interval_s"]),
        ).run()
    finally:
        source.stop()
        sink.close()
    logger.info(
        "%s stopped with exit code %d; counters %s", service, code, counters.snapshot()
    )
    return code
