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

from ..config.kafka_connection import kafka_connection
from ..core.dependencies import warn_if_untested
from ..core.heartbeat import HeartbeatPublisher, ServiceInfo
from ..core.job import one_line_error
from ..core.metrics import Counters
from ..core.processor import OrchestratingProcessor
from ..core.service import Service
from ..core.shutdown_deadline import ShutdownDeadline
from ..core.status import JobStatus, ServiceState
from ..core.stop_signal import StopSignal, stop_on_signals
from ..core.timestamp import Duration, Timestamp
from ..instruments import get_instrument
from ..kafka.log_limit import limit_kafka_logs
from ..kafka.sink import KafkaSink
from ..kafka.source import BackgroundMessageSource
from .builder import build_processor, service_kind
from .kafka_clients import (
    StartupFailed,
    check_broker,
    open_sink,
    open_source,
    read_command_history,
)
from .settings import ServiceSettings, load_service_settings

__all__ = ["StartupFailed", "configure_logging", "run_service"]

logger = logging.getLogger("livedata.service")

# How far a sender's clock may lag ours before its fresh commands look stale.
COMMAND_CLOCK_MARGIN = Duration.from_seconds(2)


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
    warn_if_untested("services")
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
    check_broker(connection, settings.kafka_timeout_s)
    limit_kafka_logs()
    counters = Counters()
    # Commands older than the moment we read the end offsets were meant for an
    # earlier instance (minus a margin for the senders' clocks).
    commands_since = Timestamp.now() - COMMAND_CLOCK_MARGIN
    group_id = f"{instrument.name}_{service}"
    topics = kind.topics(mapping)
    source = open_source(connection, settings, mapping, topics, group_id, counters)
    # The history a restart restores from reaches past the moment the source
    # took its end offsets (plus the same clock margin): a command sent just
    # before this start is then read twice rather than missed between the
    # history and the live source; a repeat's message id is not run again.
    history_until = Timestamp.now() + COMMAND_CLOCK_MARGIN
    try:
        sink = open_sink(connection, instrument.name, counters)
    except BaseException:
        source.stop()
        raise
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
    if settings.restore_jobs_within_s > 0:
        _restore_jobs(processor, connection, mapping, settings, history_until, counters)
    name = f"{instrument.name}:{service}"
    code = _serve(processor, source, sink, settings, stop, name)
    logger.info(
        "%s stopped with exit code %d; counters %s", service, code, counters.snapshot()
    )
    return code


def _restore_jobs(
    processor: OrchestratingProcessor,
    connection,
    mapping,
    settings: ServiceSettings,
    history_until: Timestamp,
    counters: Counters,
) -> None:
    """Start again the jobs an earlier instance ran (G5); never fatal."""
    until = history_until.to_seconds()
    try:
        history = read_command_history(
            connection,
            mapping,
            since=until - settings.restore_jobs_within_s,
            until=until,
            timeout=3 * settings.kafka_timeout_s,
            counters=counters,
        )
        restored = processor.restore_jobs(history)
    except Exception as error:
        counters.increment("restore_errors")
        logger.warning("could not restore jobs: %s", one_line_error(error))
        return
    if restored:
        logger.info(
            "restored %d job(s): %s", len(restored), ", ".join(map(str, restored))
        )


def _serve(
    processor: OrchestratingProcessor,
    source: BackgroundMessageSource,
    sink: KafkaSink,
    settings: ServiceSettings,
    stop: StopSignal,
    name: str,
) -> int:
    """Run until stopped, within the shutdown deadline; then close the clients."""
    # `kill -USR1 <pid>` prints every thread's stack to the log: where is it stuck?
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    runner = Service(
        processor,
        name=name,
        poll_interval=settings.poll_interval_s,
        stop=stop,
    )
    deadline = ShutdownDeadline(runner.stop_event, settings.shutdown_timeout_s).start()
    source.start()
    try:
        return runner.run()
    finally:
        source.stop()
        sink.close()
        deadline.disarm()


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
