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
    """Where a processor reads from: returns what arrived since the last call.

    A source that can fail for good (a consumer whose thread died or whose
    circuit breaker opened) also has a ``healthy`` property: the processor stops
    the service rather than keep reporting ``running`` over a source that will
    never deliver again. One without it counts as always healthy.
    """

    def get_messages(self) -> list[Message[Any]]: ...


class SourceUnhealthy(RuntimeError):
    """The message source reports itself unhealthy; the service must exit."""


def source_problem(source: object) -> str | None:
    """Why ``source`` is unhealthy, or ``None`` while it is healthy (or cannot say)."""
    if getattr(source, "healthy", True):
        return None
    health = getattr(source, "health", None)
    last_error = None
    if callable(health):
        try:
            last_error = getattr(health(), "last_error", None)
        except Exception as error:  # the reason is a nicety; the verdict stands
            last_error = f"health() failed: {error!r}"
    return f"message source unhealthy: {last_error or 'no reason given'}"


def source_warning(source: object) -> str | None:
    """Why ``source`` cannot read right now (it may recover), or ``None``.

    A running service whose heartbeat carries this as ``error`` is WARN to
    every client: it must not look OK while it reads nothing (issue 11).
    """
    try:
        warning = getattr(source, "warning", None)
    except Exception as error:  # a nicety: never stop a heartbeat for it
        return f"source warning failed: {error!r}"
    return warning if isinstance(warning, str) else None


class MessageSink(Protocol):
    """Where a processor writes to; must not block on the network."""

    def publish_messages(self, messages: list[Message[Any]]) -> None: ...
