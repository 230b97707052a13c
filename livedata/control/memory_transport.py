"""An in-process bus carrying the same bytes Kafka would, with real services on it.

Topics are append-only logs of ``RawMessage``; every reader keeps its own offset,
so clients see what a Kafka consumer assigned at the end would see. Services are
real ``OrchestratingProcessor`` s built by the service builder; they are stepped
whenever a client polls (or ``step()`` is called), which keeps tests free of
timing races while exercising decode, job management and serialisation exactly
as deployed.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from typing import Any

from ..core.commands import JobCommand, WorkflowConfig
from ..core.message import Message
from ..core.metrics import Counters
from ..core.stream import StreamKind
from ..core.timestamp import Timestamp
from ..kafka.raw import RawMessage
from ..kafka.serialisers import Serialiser
from ..kafka.stream_mapping import livedata_topic
from .transport import STATUS_HISTORY, latest_per_key


class InMemoryBus:
    """Topics as lists of raw records, shared by clients and in-process services."""

    def __init__(self, instrument: str) -> None:
        self.instrument = instrument
        self._topics: dict[str, list[RawMessage]] = defaultdict(list)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._services: list[InProcessService] = []

    def produce(self, records: Iterable[RawMessage]) -> None:
        with self._changed:
            for record in records:
                self._topics[record.topic].append(record)
            self._changed.notify_all()

    def end(self, topic: str) -> int:
        with self._lock:
            return len(self._topics[topic])

    def read(self, topic: str, offset: int) -> list[RawMessage]:
        with self._lock:
            return list(self._topics[topic][offset:])

    def wait_for_change(self, timeout: float) -> None:
        with self._changed:
            self._changed.wait(timeout)

    def add_service(
        self,
        service: str,
        *,
        worker_id: str | None = None,
        wall_clock: Callable[[], Timestamp] | None = None,
    ) -> InProcessService:
        """Build and attach one processing service of this bus's instrument.

        ``wall_clock`` drives its heartbeats (every 2 s), so tests can advance it.
        """
        proc = InProcessService(
            self, service, worker_id=worker_id, wall_clock=wall_clock
        )
        with self._lock:
            self._services.append(proc)
        return proc

    def remove_service(self, service: InProcessService) -> None:
        with self._lock:
            if service in self._services:
                self._services.remove(service)

    def step(self) -> None:
        """One processing cycle of every attached service."""
        with self._lock:
            services = list(self._services)
        for service in services:
            service.step()

    def transport(self, *, with_data: bool = True) -> MemoryTransport:
        return MemoryTransport(self, with_data=with_data)


class InProcessService:
    """One real service reading its topics on the bus and publishing back to it."""

    def __init__(
        self,
        bus: InMemoryBus,
        service: str,
        *,
        worker_id: str | None = None,
        wall_clock: Callable[[], Timestamp] | None = None,
    ) -> None:
        from ..instruments import get_instrument
        from ..kafka.memory import InMemoryRawSource, RecordingSink
        from ..kafka.routing import build_service_adapter
        from ..services.builder import build_processor, service_kind

        self.name = service
        self._bus = bus
        instrument = get_instrument(bus.instrument)
        mapping = instrument.stream_mapping(dev=True)
        self.counters = Counters()
        self._topics = service_kind(service).topics(mapping)
        adapter = build_service_adapter(mapping, self.counters, topics=self._topics)
        # Like a Kafka service, it only sees what is published after it starts.
        self._offsets = {t: bus.end(t) for t in self._topics}
        self._source = InMemoryRawSource(adapter.adapt)
        self._sink = RecordingSink(Serialiser(bus.instrument))
        self.processor = build_processor(
            instrument,
            service,
            self._source,
            self._sink,
            counters=self.counters,
            worker_id=worker_id,
            wall_clock=wall_clock or Timestamp.now,
        )
        self._lock = threading.Lock()
        self.stopped = False

    def step(self) -> None:
        with self._lock:
            if self.stopped:
                return
            for topic in self._topics:
                records = self._bus.read(topic, self._offsets[topic])
                self._offsets[topic] += len(records)
                self._source.feed(records)
            self.processor.process()
            self._flush()

    def begin_shutdown(self) -> None:
        """What SIGTERM starts: a ``stopping`` heartbeat, jobs finishing."""
        with self._lock:
            self.processor.shutdown()
            self._flush()

    def finish_shutdown(self) -> None:
        """The final results and the ``stopped`` heartbeat; the service leaves."""
        with self._lock:
            self.processor.finalize_and_report_stopped()
            self._flush()
            self.stopped = True
        self._bus.remove_service(self)

    def crash(self) -> None:
        """Disappear without a goodbye (heartbeats just stop)."""
        with self._lock:
            self.stopped = True
        self._bus.remove_service(self)

    def _flush(self) -> None:
        self._bus.produce(
            RawMessage(r.topic, r.value, r.key, time.time_ns() // 1_000_000)
            for r in self._sink.take()
        )


class MemoryTransport:
    """A client on the bus: commands out as JSON records, client topics in."""

    def __init__(self, bus: InMemoryBus, *, with_data: bool = True) -> None:
        from ..kafka.routing import build_client_adapter

        self._bus = bus
        self.counters = Counters()
        self._adapter = build_client_adapter(bus.instrument, self.counters)
        self._serialise = Serialiser(bus.instrument)
        kinds = [
            # commands before their answers: the order they were sent in
            StreamKind.LIVEDATA_COMMANDS,
            StreamKind.LIVEDATA_RESPONSES,
            StreamKind.LIVEDATA_STATUS,
        ]
        if with_data:
            kinds.append(StreamKind.LIVEDATA_DATA)
        self._topics = [livedata_topic(bus.instrument, k) for k in kinds]
        self._offsets = {t: bus.end(t) for t in self._topics}
        # Like the Kafka transport: recent heartbeats are read back at start.
        status = livedata_topic(bus.instrument, StreamKind.LIVEDATA_STATUS)
        self._offsets[status] = max(0, self._offsets[status] - STATUS_HISTORY)
        self.replays_status = True
        self._closed = False

    def send(self, message: Message[Any]) -> None:
        if self._closed:
            raise RuntimeError("transport is closed")
        record = self._serialise(message)
        self._bus.produce(
            [
                RawMessage(
                    record.topic, record.value, record.key, time.time_ns() // 1_000_000
                )
            ]
        )

    def poll(self, timeout: float) -> list[Message[Any]]:
        if self._closed:
            return []
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            self._bus.step()
            out = self._read()
            remaining = deadline - time.monotonic()
            if out or remaining <= 0:
                return out
            self._bus.wait_for_change(min(remaining, 0.05))

    def _read(self) -> list[Message[Any]]:
        out = []
        for topic in self._topics:
            records = self._bus.read(topic, self._offsets[topic])
            self._offsets[topic] += len(records)
            out.extend(self._adapter.adapt_many(records))
        return out

    def restore_configs(self, timeout: float) -> list[WorkflowConfig | JobCommand]:
        """Every command on the bus, latest per key (G5)."""
        topic = livedata_topic(self._bus.instrument, StreamKind.LIVEDATA_COMMANDS)
        commands = [
            m.value
            for m in self._adapter.adapt_many(self._bus.read(topic, 0))
            if isinstance(m.value, WorkflowConfig | JobCommand)
        ]
        return latest_per_key(commands)

    def roi_requests(
        self, stream_names: Collection[str], timeout: float
    ) -> dict[str, Message[Any]]:
        """The latest ROI request per stream on the bus (D12)."""
        from ..kafka.adapters import Da00Adapter

        topic = livedata_topic(self._bus.instrument, StreamKind.LIVEDATA_ROI)
        adapter = Da00Adapter(StreamKind.LIVEDATA_ROI)
        latest: dict[str, Message[Any]] = {}
        for raw in self._bus.read(topic, 0):
            message = adapter.adapt(raw)
            if message.stream.name in stream_names:
                latest[message.stream.name] = message
        return latest

    def close(self) -> None:
        self._closed = True
