"""Message batching by data time (B2, G1, G2): the data is the clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .message import Message
from .metrics import Counters
from .time_guard import DEFAULT_MAX_FUTURE_SKEW, DEFAULT_MAX_JUMP, TimeGuard
from .timestamp import Duration, Timestamp

logger = logging.getLogger(__name__)


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

    def flush(self) -> list[MessageBatch]:
        """Close what is open (at shutdown)."""
        ...


class SimpleMessageBatcher:
    """Fixed windows aligned to multiples of ``batch_length``, closed by the data.

    A window closes only when a message at or beyond its end arrives, so if data
    stops, the last window stays open (B2). Late messages join the open window
    (G1, counted as ``late_messages``); a data gap yields one empty batch spanning
    it (G2). The wall clock is consulted only to reject timestamps that cannot
    be believed (:class:`TimeGuard`): one broken timestamp far in the future
    would otherwise become the clock and make everything after it "late".
    """

    def __init__(
        self,
        batch_length: Duration = Duration.from_seconds(1),
        *,
        counters: Counters | None = None,
        wall_clock: Callable[[], Timestamp] = Timestamp.now,
        max_future_skew: Duration = DEFAULT_MAX_FUTURE_SKEW,
        max_jump: Duration = DEFAULT_MAX_JUMP,
    ) -> None:
        if batch_length.ns <= 0:
            raise ValueError(f"batch_length must be positive, got {batch_length}")
        self._length = batch_length.ns
        self._counters = counters if counters is not None else Counters()
        self._guard = TimeGuard(
            self._counters,
            wall_clock,
            max_future_skew=max_future_skew,
            max_jump=max_jump,
        )
        self._open_start: int | None = None
        self._open_messages: list[Message[Any]] = []

    @property
    def batch_length(self) -> Duration:
        return Duration(self._length)

    @property
    def counters(self) -> Counters:
        return self._counters

    def batch(self, messages: list[Message[Any]]) -> list[MessageBatch]:
        closed: list[MessageBatch] = []
        # Sorting first means a message that is merely out of order within one
        # poll is placed in its own window rather than treated as late.
        for message in sorted(self._guard.filter(messages), key=_timestamp_ns):
            closed.extend(self._add(message))
        return closed

    def _add(self, message: Message[Any]) -> list[MessageBatch]:
        ts = message.timestamp.ns
        window_start = ts - ts % self._length
        if self._open_start is None:
            self._open_start = window_start
        open_end = self._open_start + self._length
        if ts < self._open_start:
            self._counters.increment("late_messages")
        if ts < open_end:
            self._open_messages.append(message)
            return []
        closed = [self._close_open_window()]
        if window_start > open_end:
            closed.append(
                MessageBatch(Timestamp(open_end), Timestamp(window_start), [])
            )
        self._open_start = window_start
        self._open_messages = [message]
        return closed

    def flush(self) -> list[MessageBatch]:
        """Close the open window now (at shutdown: its data is not lost)."""
        if self._open_start is None or not self._open_messages:
            return []
        batch = self._close_open_window()
        self._open_start = None
        self._open_messages = []
        return [batch]

    def _close_open_window(self) -> MessageBatch:
        assert self._open_start is not None
        self._open_messages.sort(key=_timestamp_ns)
        return MessageBatch(
            Timestamp(self._open_start),
            Timestamp(self._open_start + self._length),
            self._open_messages,
        )


class NaiveMessageBatcher:
    """Everything at once, as one batch: for services that must not wait (B2).

    Times are still checked (:class:`TimeGuard`): a log value stamped far ahead
    would otherwise become a timeseries' latest point for good.
    """

    def __init__(
        self,
        *,
        counters: Counters | None = None,
        wall_clock: Callable[[], Timestamp] = Timestamp.now,
        max_future_skew: Duration = DEFAULT_MAX_FUTURE_SKEW,
        max_jump: Duration = DEFAULT_MAX_JUMP,
    ) -> None:
        self._counters = counters if counters is not None else Counters()
        self._guard = TimeGuard(
            self._counters,
            wall_clock,
            max_future_skew=max_future_skew,
            max_jump=max_jump,
        )

    @property
    def counters(self) -> Counters:
        return self._counters

    def batch(self, messages: list[Message[Any]]) -> list[MessageBatch]:
        messages = self._guard.filter(messages)
        if not messages:
            return []
        ordered = sorted(messages, key=_timestamp_ns)
        return [
            MessageBatch(
                ordered[0].timestamp,
                ordered[-1].timestamp + Duration(1),
                ordered,
            )
        ]

    def flush(self) -> list[MessageBatch]:
        return []


def _timestamp_ns(message: Message[Any]) -> int:
    return message.timestamp.ns
