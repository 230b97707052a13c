"""In-memory source and sink: what unit tests and benchmarks run a processor on."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

from .message import Message


class InMemorySource:
    """A message source fed by the test; ``get_messages`` drains what was fed."""

    def __init__(self, messages: Iterable[Message[Any]] = ()) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Message[Any]] = deque(messages)

    def feed(self, messages: Iterable[Message[Any]]) -> None:
        with self._lock:
            self._queue.extend(messages)

    @property
    def healthy(self) -> bool:
        """Memory does not fail: always healthy."""
        return True

    def get_messages(self) -> list[Message[Any]]:
        with self._lock:
            out = list(self._queue)
            self._queue.clear()
        return out


class InMemorySink:
    """Collects published messages in order, for assertions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[Message[Any]] = []

    def publish_messages(self, messages: list[Message[Any]]) -> None:
        with self._lock:
            self.messages.extend(messages)

    def take(self) -> list[Message[Any]]:
        with self._lock:
            out, self.messages = self.messages, []
        return out
