"""Message batching by data time (B2, G1, G2): the data is the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .message import Message
from .timestamp import Timestamp


@dataclass(frozen=True, slots=True)
class MessageBatch:
    """Messages of one data-time window, sorted by timestamp.

    ``start_time`` may lie: late messages are folded into the next open window.
    """

    start_time: Timestamp
    end_time: Timestamp
    messages: list[Message[Any]] = field(default_factory=list)


class MessageBatcher(Protocol):
    """Feeds messages in; returns the windows that closed (possibly empty ones)."""

    def batch(self, messages: list[Message[Any]]) -> list[MessageBatch]: ...
