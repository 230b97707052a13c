"""The one envelope everything travels in (A4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from .stream import StreamId
from .timestamp import Timestamp

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Message(Generic[T]):
    """A value from one stream at one data time; ordered by timestamp only."""

    timestamp: Timestamp
    stream: StreamId
    value: T

    def __lt__(self, other: Message[Any]) -> bool:
        return self.timestamp < other.timestamp


class MessageSource(Protocol):
    """Where a processor reads from: returns what arrived since the last call."""

    def get_messages(self) -> list[Message[Any]]: ...


class MessageSink(Protocol):
    """Where a processor writes to; must not block on the network."""

    def publish_messages(self, messages: list[Message[Any]]) -> None: ...
