"""Kafka-shaped in-memory plumbing: raw records in, serialised records out.

Lets a whole service path (decode, process, serialise) run in one process without
a broker, for tests and the throughput benchmark.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from ..core.message import Message
from .raw import RawMessage
from .serialisers import OutgoingRecord


class InMemoryRawSource:
    """A message source fed with raw records, adapted on ``get_messages``."""

    def __init__(self, adapt: Callable[[RawMessage], Message[Any] | None]) -> None:
        self._adapt = adapt
        self._lock = threading.Lock()
        self._queue: deque[RawMessage] = deque()

    def feed(self, records: Iterable[RawMessage]) -> None:
        with self._lock:
            self._queue.extend(records)

    def get_messages(self, limit: int | None = None) -> list[Message[Any]]:
        with self._lock:
            n = len(self._queue) if limit is None else min(limit, len(self._queue))
            raws = [self._queue.popleft() for _ in range(n)]
        out = []
        for raw in raws:
            msg = self._adapt(raw)
            if msg is not None:
                out.append(msg)
        return out


class RecordingSink:
    """Serialises what is published, exactly as the Kafka sink would, and keeps it."""

    def __init__(self, serialise: Callable[[Message[Any]], OutgoingRecord]) -> None:
        self._serialise = serialise
        self.records: list[OutgoingRecord] = []

    def publish_messages(self, messages: list[Message[Any]]) -> None:
        self.records.extend(self._serialise(m) for m in messages)

    def take(self) -> list[OutgoingRecord]:
        out, self.records = self.records, []
        return out
