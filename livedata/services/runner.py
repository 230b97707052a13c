"""Runs one processing service against Kafka until SIGTERM/SIGINT (G4).

Start-up failures an operator can fix (no broker, missing topics, settings
librdkafka refuses, a broken instrument package) raise one-line errors rather
than tracebacks. One that happens once the producer exists (building the
processor, which loads the instrument's factories) is also announced as an
``error`` heartbeat, so a console sees why the service never came up.
"""

from __future__ import annotations

import faulthandler
import logging
import signal
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from ..config import ConfigError, load_config
from ..config.kafka_connection import KafkaConnection, kafka_connection
from ..core.heartbeat import HeartbeatPublisher, ServiceInfo
from ..core.job import one_line_error
from ..core.metrics import Counters
from ..core.service import Service
from ..core.shutdown_deadline import ShutdownDeadline
from ..core.status import JobStatus, ServiceState
from ..core.stop_signal import StopSignal, stop_on_signals
from ..core.stream import StreamKind
from ..core.timestamp import Duration, Timestamp
from ..instruments import get_instrument
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
from .builder import build_processor, service_kind
from .settings import ServiceSettings, load_service_settings

logger = logging.getLogger("livedata.service")

# What a service writes to: missing, its answers and heartbeats would vanish.
# How far a sender's clock may lag ours before its fresh commands look stale.
COMMAND_CLOCK_MARGIN = Duration.from_seconds(2)

PRODUCED_KINDS = (
    StreamKind.LIVEDATA_RESPONSES,
    StreamKind.LIVEDATA_STATUS,
    StreamKind.LIVEDATA_DATA,
)


class StartupFailed(RuntimeError):
    """The service could not start; the message is one line for the operator."""


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def run_service(
    instrument_name: str, service: str, *, dev: bool, bootstrap: str | None
) -> int:
    """Exit code 0 after a graceful stop, 1 after an error.

    Raises :class:`ConfigError`, :class:`BrokerUnreachable` or
    :class:`StartupFailed` when the service cannot start.
    """
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
    connection = kafka_connection(bootstrap)
    settings = load_service_settings()
    logger.info(
        "starting %s for %s (%s) on %s",
        service,
        instrument.name,
        "DEV" if dev else "PROD",
        connection.describe(),
    )
    counters = Counters()
    check_broker(connection, settings.kafka_timeout_s)

    from confluent_kafka import Consumer, Producer

    consumer = _client(
        Consumer,
        make_consumer_config(
            connection.bootstrap,
            f"{instrument.name}_{service}",
            {**connection.settings, **load_config("consumer")},
        ),
    )
    topics = kind.topics(mapping)
    # Commands older than the moment we read the end offsets were meant for an
    # earlier instance (minus a margin for the senders' clocks).
    commands_since = Timestamp.now() - COMMAND_CLOCK_MARGIN
    try:
        position_at_end(
            consumer, topics, _produced_topics(mapping), connection, settings
        )
    except BaseException:
        consumer.close()
        raise
    source = BackgroundMessageSource(
        consumer,
        build_service_adapter(mapping, counters, topics=topics).adapt,
        counters=counters,
        max_queue_batches=settings.queue_max_batches,
        max_queue_bytes=settings.queue_max_bytes,
        circuit_breaker_errors=settings.circuit_breaker_errors,
    )
    try:
        producer = _client(
            Producer,
            make_producer_config(
                connection.bootstrap,
                {**connection.settings, **load_config("producer")},
            ),
        )
    except BaseException:
        source.stop()
        raise
    sink = KafkaSink(producer, Serialiser(instrument.name), counters)
    try:
        processor = build_processor(
            instrument,
            service,
            source,
            sink,
            counters=counters,
            batch_length=settings.batch_length,
            stream_stats=source.stream_stats,
            commands_since=commands_since,
        )
    except Exception as error:  # e.g. a broken dependency of the factories
        reason = f"could not build the {service} service: {one_line_error(error)}"
        logger.debug("building the processor failed", exc_info=True)
        report_startup_error(sink, instrument.name, service, reason, settings)
        source.stop()
        sink.close()
        raise StartupFailed(reason) from error
    # `kill -USR1 <pid>` prints every thread's stack to the log: where is it stuck?
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    runner = Service(
        processor,
        name=f"{instrument.name}:{service}",
        poll_interval=settings.poll_interval_s,
        stop=stop,
    )
    deadline = ShutdownDeadline(runner.stop_event, settings.shutdown_timeout_s).start()
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


def _client(factory: Callable[[dict[str, Any]], Any], config: dict[str, Any]) -> Any:
    """A confluent-kafka client; settings librdkafka refuses are a ConfigError."""
    from confluent_kafka import KafkaException

    try:
        return factory(config)
    except KafkaException as exc:
        raise ConfigError(f"Kafka client settings refused: {_reason(exc)}") from None


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


def _produced_topics(mapping: StreamMapping) -> list[str]:
    return [mapping.livedata_topic(kind) for kind in PRODUCED_KINDS]


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


def _reason(exc: Exception) -> str:
    error = exc.args[0] if exc.args else None
    text = error.str() if hasattr(error, "str") else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


class _NoJobs:
    """The job list of a service that never got as far as having jobs."""

    active_job_count = 0

    def job_statuses(self) -> list[JobStatus]:
        return []


def report_startup_error(
    sink: KafkaSink,
    instrument: str,
    service: str,
    reason: str,
    settings: ServiceSettings,
) -> None:
    """One ``error`` heartbeat from a service that failed before running."""
    info = ServiceInfo(
        instrument=instrument,
        service_name=service,
        worker_id=str(uuid.uuid4()),
        batch_interval_s=settings.batch_length_s,
    )
    beats = HeartbeatPublisher(info, _NoJobs(), Counters())
    sink.publish_messages(beats.beat(ServiceState.ERROR, error=reason))
