"""The control plane's transport over Kafka (D6, C4).

One producer for commands and one consumer assigned explicitly (no group join)
to the client topics at their end. The constructor waits until the assignment
has resolved its offsets before returning, so no answer to a command sent
afterwards can be missed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ..core.commands import JobCommand, WorkflowConfig
from ..core.message import Message
from ..core.metrics import Counters
from ..core.stream import StreamKind
from ..kafka.raw import from_confluent
from ..kafka.routing import build_client_adapter
from ..kafka.serialisers import Serialiser
from ..kafka.stream_mapping import livedata_topic
from .transport import STATUS_HISTORY, ConnectionState, latest_per_key

RESPONSES_HISTORY = 500

logger = logging.getLogger(__name__)

_BATCH = 500


class KafkaTransport:
    """A :class:`Transport` over Kafka, reading the client topics from their end."""

    def __init__(
        self,
        instrument: str,
        bootstrap: str,
        *,
        with_data: bool = True,
        with_status: bool = True,
        client_config: Mapping[str, Any] | None = None,
        ready_timeout: float = 5.0,
        fetch_wait_ms: int | None = None,
    ) -> None:
        """``fetch_wait_ms``: the consumer's ``fetch.wait.max.ms`` when a client
        wants results sooner than the peers' default (the plot server: the
        embedded broker answers a fetch only when that wait is over)."""
        from confluent_kafka import Consumer, Producer

        from ..kafka.consumer import assign_from_now, make_consumer_config
        from ..kafka.sink import make_producer_config

        self.instrument = instrument
        self.counters = Counters()
        self._bootstrap = bootstrap
        self._client_config = dict(client_config or {})
        self._adapter = build_client_adapter(instrument, self.counters)
        self._serialise = Serialiser(instrument)
        kinds = [
            # commands before their answers: the order they were sent in
            StreamKind.LIVEDATA_COMMANDS,
            StreamKind.LIVEDATA_RESPONSES,
        ]
        if with_status:  # heartbeats: x5f2 (a CLI that only starts jobs skips them)
            kinds.append(StreamKind.LIVEDATA_STATUS)
        if with_data:
            kinds.append(StreamKind.LIVEDATA_DATA)
        topics = [livedata_topic(instrument, k) for k in kinds]
        # Broker states every 2 s (librdkafka statistics, served by the pump's
        # polls): connected while some broker is UP, else down since when.
        self._down_since: float | None = None
        self._up_since = time.time()
        self._consumer = Consumer(
            {
                **make_consumer_config(
                    bootstrap, f"{instrument}_control", client_config
                ),
                **(
                    {}
                    if fetch_wait_ms is None
                    else {"fetch.wait.max.ms": fetch_wait_ms}
                ),
                "statistics.interval.ms": 2000,
                "stats_cb": self._on_stats,
                "error_cb": self._on_error,
            }
        )
        status_topic = livedata_topic(instrument, StreamKind.LIVEDATA_STATUS)
        responses = livedata_topic(instrument, StreamKind.LIVEDATA_RESPONSES)
        self.replays_status = with_status
        # Recent answers too: those to another client's command seen just
        # after we started may precede our position (the plane keeps them
        # aside and never tracks them on their own).
        back = {responses: RESPONSES_HISTORY}
        if with_status:
            back[status_topic] = STATUS_HISTORY
        self._partitions = assign_from_now(self._consumer, topics, back=back)
        self._producer = Producer(make_producer_config(bootstrap, client_config))
        self._early: list[Message[Any]] = []
        self._wait_until_positioned(ready_timeout)

    def _on_stats(self, document: str) -> None:
        import json

        try:
            brokers = json.loads(document).get("brokers", {})
        except ValueError:
            return
        up = any(
            b.get("state") == "UP" and b.get("nodeid", -1) >= 0
            for b in brokers.values()
        )
        if up and self._down_since is not None:
            self._down_since, self._up_since = None, time.time()
        elif not up and self._down_since is None:
            self._down_since = time.time()

    def _on_error(self, error: Any) -> None:
        from confluent_kafka import KafkaError

        down = (KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT)
        if error.code() in down and self._down_since is None:
            self._down_since = time.time()

    def connection(self) -> ConnectionState:
        """Connected, or down since when (wall clock s)."""
        if self._down_since is not None:
            return ConnectionState(self._bootstrap, False, self._down_since)
        return ConnectionState(self._bootstrap, True, self._up_since)

    def _wait_until_positioned(self, timeout: float) -> None:
        """Poll until every partition has a real offset (the end is resolved)."""
        deadline = time.monotonic() + timeout
        while True:
            # Short polls: the offsets resolve in librdkafka's own thread, and
            # every CLI command waits here once (start-up time).
            self._early.extend(self._consume(0.02))
            positions = (
                self._consumer.position(self._partitions) if self._partitions else []
            )
            if all(tp.offset >= 0 for tp in positions):
                return
            if time.monotonic() >= deadline:
                logger.warning("consumer offsets not resolved after %.1f s", timeout)
                return

    def _consume(self, timeout: float) -> list[Message[Any]]:
        return self._adapt(self._consumer.consume(num_messages=_BATCH, timeout=timeout))

    def _adapt(self, records: list[Any]) -> list[Message[Any]]:
        out = []
        for msg in records:
            if msg.error():
                self.counters.increment("consume_errors")
                continue
            adapted = self._adapter.adapt(from_confluent(msg))
            if adapted is not None:
                out.append(adapted)
        return out

    def send(self, message: Message[Any]) -> None:
        record = self._serialise(message)
        failures: list[str] = []

        def on_delivery(err: Any, _msg: Any) -> None:
            if err is not None:
                failures.append(str(err))

        try:
            self._producer.produce(
                record.topic, record.value, record.key, on_delivery=on_delivery
            )
            remaining = self._producer.flush(10)
        except Exception:
            self.counters.increment("send_errors")
            raise
        if failures or remaining:
            self.counters.increment("send_errors")
            reason = failures[0] if failures else "not delivered within 10 s"
            raise RuntimeError(f"command not sent: {reason}")

    def poll(self, timeout: float) -> list[Message[Any]]:
        """What has arrived, as soon as something has (up to ``timeout``):
        ``consume`` alone would wait out the timeout for a full batch."""
        early, self._early = self._early, []
        if early:
            return early + self._consume(0.0)
        first = self._consumer.poll(timeout)
        if first is None:
            return []
        return self._adapt([first, *self._consumer.consume(_BATCH - 1, 0.0)])

    def restore_configs(self, timeout: float) -> list[WorkflowConfig | JobCommand]:
        """Read the commands topic from the beginning; keep the latest per key (G5)."""
        topic = livedata_topic(self.instrument, StreamKind.LIVEDATA_COMMANDS)
        commands: list[WorkflowConfig | JobCommand] = []
        for adapted in self._read_all(topic, self._adapter.adapt, timeout):
            if isinstance(adapted.value, WorkflowConfig | JobCommand):
                commands.append(adapted.value)
        return latest_per_key(commands)

    def roi_requests(
        self, stream_names: Collection[str], timeout: float
    ) -> dict[str, Message[Any]]:
        """The latest ROI request per stream still on the ROI topic (D12)."""
        from ..kafka.adapters import Da00Adapter

        topic = livedata_topic(self.instrument, StreamKind.LIVEDATA_ROI)
        adapt = Da00Adapter(StreamKind.LIVEDATA_ROI).adapt
        latest: dict[str, Message[Any]] = {}
        for adapted in self._read_all(topic, adapt, timeout):
            if adapted.stream.name in stream_names:
                latest[adapted.stream.name] = adapted
        return latest

    def _read_all(
        self, topic: str, adapt: Callable[[Any], Message[Any] | None], timeout: float
    ) -> list[Message[Any]]:
        """Every record of ``topic`` from its beginning to its current end, adapted."""
        from confluent_kafka import Consumer

        from ..kafka.consumer import assign_all, make_consumer_config

        consumer = Consumer(
            make_consumer_config(
                self._bootstrap, f"{self.instrument}_restore", self._client_config
            )
        )
        out: list[Message[Any]] = []
        try:
            partitions = assign_all(consumer, [topic], at="beginning")
            ends = {
                tp.partition: consumer.get_watermark_offsets(tp, timeout=timeout)[1]
                for tp in partitions
            }
            done = {p for p, high in ends.items() if high <= 0}
            deadline = time.monotonic() + timeout
            # The embedded broker's high watermark can trail the true end (it is
            # the last batch's base offset + 1): past the reported ends, read on
            # until a poll comes back empty.
            while time.monotonic() < deadline:
                batch = consumer.consume(num_messages=_BATCH, timeout=0.2)
                if not batch and len(done) >= len(ends):
                    break
                for msg in batch:
                    if msg.error():
                        self.counters.increment("consume_errors")
                        continue
                    if msg.offset() + 1 >= ends[msg.partition()]:
                        done.add(msg.partition())
                    try:
                        adapted = adapt(from_confluent(msg))
                    except Exception:  # a bad record must not hide the rest
                        self.counters.increment("decode_errors")
                        continue
                    if adapted is not None:
                        out.append(adapted)
        finally:
            consumer.close()
        return out

    def close(self) -> None:
        try:
            self._producer.flush(5)
        finally:
            self._consumer.close()
