"""Fake producers for development and demos: generated records sent to Kafka.

What is sent comes from ``livedata.instruments.fakes`` (the generic generators,
or the instrument's own); this module only produces it, counting what the broker
did not take.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.stop_signal import StopFlag, StopSignal
from ..instruments.fakes import DEFAULT_RATES, generator_for
from ..instruments.instrument import Instrument

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FakeReport:
    """What a fake producer got out: records handed to the client, and the
    ones the broker did not take (delivery failures, refused records)."""

    sent: int
    failed: int


def run_fake(
    kind: str,
    instrument: Instrument,
    *,
    rate: float | None,
    bootstrap: str,
    dev: bool = True,
    stop: StopFlag | None = None,
    client_config: Mapping[str, Any] | None = None,
) -> FakeReport:
    """Produce until ``stop`` is set; ``client_config`` carries the security
    settings (``KafkaConnection.settings``)."""
    from confluent_kafka import KafkaException, Producer

    from ..geometry import install_nexus_geometry
    from ..kafka.log_limit import limit_kafka_logs
    from ..kafka.sink import make_producer_config

    stop = stop or StopSignal()
    limit_kafka_logs()
    install_nexus_geometry()  # the instruments' fakes place events on pixels
    producer = Producer(make_producer_config(bootstrap, client_config))
    generate = generator_for(kind, instrument)
    sent = 0
    failed = 0

    def on_delivery(err, _msg):
        nonlocal failed
        if err is not None:
            failed += 1

    try:
        for raw in generate(instrument, rate or DEFAULT_RATES[kind], stop, dev):
            # A full client queue (broker slow or gone) waits, but never past a stop.
            while not stop.is_set():
                try:
                    producer.produce(
                        raw.topic, raw.value, raw.key, on_delivery=on_delivery
                    )
                    sent += 1
                    break
                except BufferError:
                    producer.poll(0.05)
                except KafkaException as exc:  # e.g. a record above the size limit
                    failed += 1
                    logger.warning("fake %s: %s refused: %s", kind, raw.topic, exc)
                    break
            producer.poll(0)
    finally:
        undelivered = producer.flush(5)
        failed += undelivered
        if failed:
            logger.warning("fake %s: %d records not delivered", kind, failed)
    return FakeReport(sent=sent, failed=failed)
