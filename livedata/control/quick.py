"""Send commands and wait for their acknowledgements, synchronously.

The smallest client: what ``livedata demo`` uses to start its default jobs. It
reads the responses topic from its end *before* sending, so no answer is missed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.commands import CommandAcknowledgement, JobCommand, WorkflowConfig
from ..core.message import Message
from ..core.metrics import Counters
from ..core.stream import COMMANDS_STREAM, StreamKind
from ..core.timestamp import Timestamp
from ..kafka.raw import from_confluent
from ..kafka.routing import build_client_adapter
from ..kafka.serialisers import Serialiser
from ..kafka.stream_mapping import livedata_topic


@dataclass(frozen=True)
class AckOutcome:
    """Answers received per (message id, device); ``missing`` are configs unanswered."""

    answers: tuple[CommandAcknowledgement, ...]
    missing: tuple[str, ...]

    @property
    def all_acked(self) -> bool:
        return not self.missing and all(a.response.value == "ACK" for a in self.answers)


def send_and_wait_for_acks(
    instrument: str,
    bootstrap: str,
    commands: Sequence[WorkflowConfig | JobCommand],
    *,
    timeout: float = 10.0,
    client_config: dict | None = None,
) -> AckOutcome:
    """Publish ``commands`` and collect one answer per WorkflowConfig source."""
    from confluent_kafka import Consumer, Producer

    from ..kafka.consumer import assign_from_now, make_consumer_config
    from ..kafka.sink import make_producer_config

    responses = livedata_topic(instrument, StreamKind.LIVEDATA_RESPONSES)
    consumer = Consumer(
        make_consumer_config(bootstrap, f"{instrument}_cli", client_config)
    )
    # Exact end offsets, read before sending: no answer can slip past us.
    if assign_from_now(consumer, [responses]):
        # Unknown watermarks: a logical end, resolved by the first poll.
        consumer.consume(num_messages=1, timeout=0.2)
    producer = Producer(make_producer_config(bootstrap, client_config))
    serialise = Serialiser(instrument)
    expected: dict[tuple[str | None, str], str] = {}
    for cmd in commands:
        record = serialise(Message(Timestamp.now(), COMMANDS_STREAM, cmd))
        producer.produce(record.topic, record.value, record.key)
        if isinstance(cmd, WorkflowConfig):
            expected[(cmd.message_id, cmd.job_id.source_name)] = str(cmd.job_id)
    producer.flush(5)
    adapter = build_client_adapter(instrument, Counters())
    answers: list[CommandAcknowledgement] = []
    deadline = time.monotonic() + timeout
    try:
        while expected and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=100, timeout=0.2):
                if msg.error():
                    continue
                adapted = adapter.adapt(from_confluent(msg))
                if adapted is None:
                    continue
                ack = adapted.value
                if expected.pop((ack.message_id, ack.device), None) is not None:
                    answers.append(ack)
    finally:
        consumer.close()
    return AckOutcome(tuple(answers), tuple(expected.values()))


def wait_for_services(
    instrument: str,
    bootstrap: str,
    services: Sequence[str],
    *,
    timeout: float = 60.0,
    client_config: dict | None = None,
) -> set[str]:
    """Block until each named service sends a ``running`` heartbeat from now on.

    Services beat every 2 s, so history is not needed, and it would mislead: a
    service that ran earlier left ``running`` beats on the topic. Records stamped
    before the call are ignored too (the embedded broker's end offset may trail
    by one batch). Returns the services that did not report in
    time (empty set when all did).
    """
    from confluent_kafka import Consumer

    from ..core.status import ServiceState, ServiceStatus
    from ..kafka.consumer import assign_from_now, make_consumer_config

    heartbeat = livedata_topic(instrument, StreamKind.LIVEDATA_STATUS)
    consumer = Consumer(
        make_consumer_config(bootstrap, f"{instrument}_cli", client_config)
    )
    since_ms = int(time.time() * 1000)
    assign_from_now(consumer, [heartbeat])
    adapter = build_client_adapter(instrument, Counters())
    waiting = set(services)
    deadline = time.monotonic() + timeout
    try:
        while waiting and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=100, timeout=0.2):
                if msg.error() or msg.timestamp()[1] < since_ms:
                    continue
                adapted = adapter.adapt(from_confluent(msg))
                status = None if adapted is None else adapted.value
                if (
                    isinstance(status, ServiceStatus)
                    and status.state is ServiceState.RUNNING
                ):
                    waiting.discard(status.service_name)
    finally:
        consumer.close()
    return waiting
