"""Runs one processing service against Kafka until SIGTERM/SIGINT (G4)."""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys

from ..config import kafka_client_config, load_config, redact
from ..core.metrics import Counters
from ..core.service import Service
from ..core.shutdown_deadline import ShutdownDeadline
from ..core.stop_signal import StopSignal, stop_on_signals
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
    # From here on SIGTERM/SIGINT request a graceful stop, even while the
    # factories load: the service then says stopping/stopped instead of dying.
    stop = StopSignal()
    restore_signals = stop_on_signals(stop)
    try:
        return _run_service(
            instrument_name, service, dev=dev, bootstrap=bootstrap, stop=stop
        )
    finally:
        restore_signals()


def _run_service(
    instrument_name: str,
    service: str,
    *,
    dev: bool,
    bootstrap: str | None,
    stop: StopSignal,
) -> int:
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
        sink,
        counters=counters,
        stream_stats=source.stream_stats,
    )
    # `kill -USR1 <pid>` prints every thread's stack to the log: where is it stuck?
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    runner = Service(
        processor,
        name=f"{instrument.name}:{service}",
        poll_interval=float(service_config["poll_interval_s"]),
        stop=stop,
    )
    deadline = ShutdownDeadline(
        runner.stop_event, float(service_config["shutdown_timeout_s"])
    ).start()
    source.start()
    try:
        code = runner.run()
    finally:
        source.stop()
        sink.close()
        deadline.disarm()
    logger.info(
        "%s stopped with exit code %d; counters %s", service, code, counters.snapshot()
    )
    return code
