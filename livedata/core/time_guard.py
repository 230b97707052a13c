"""Which data times a service believes (issue 11): one bad clock must not steer.

The data is the clock (A2, B2), so one message stamped far ahead would become
the clock for every stream: all later messages look late and no window closes.
A time is implausible when it is before 2000, after the wall clock plus
``max_future_skew``, or further than ``max_jump`` ahead of where its stream
(or, for a stream not yet seen, the service) should be now: the last time
accepted plus the wall time elapsed since. Implausible-by-jump messages are
held, not believed; when ``confirm`` of them arrive from the same stream
within ``hold`` of wall time the jump is real (a sender's clock was corrected)
and they are released, otherwise they are dropped and counted
(``dropped_time_jump``); absurd ones are dropped at once
(``dropped_absurd_timestamp``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .message import Message
from .metrics import Counters, log_sparsely
from .stream import StreamId
from .timestamp import NS_PER_S, Duration, Timestamp

logger = logging.getLogger(__name__)

EARLIEST_PLAUSIBLE = Timestamp(946_684_800 * NS_PER_S)  # 2000-01-01T00:00:00Z
DEFAULT_MAX_FUTURE_SKEW = Duration.from_seconds(300)
DEFAULT_MAX_JUMP = Duration.from_seconds(60)


class TimeGuard:
    """Filters messages whose data time cannot be believed (see module doc)."""

    def __init__(
        self,
        counters: Counters,
        wall_clock: Callable[[], Timestamp] = Timestamp.now,
        *,
        max_future_skew: Duration = DEFAULT_MAX_FUTURE_SKEW,
        max_jump: Duration = DEFAULT_MAX_JUMP,
        confirm: int = 3,
        hold: Duration = Duration.from_seconds(10),
    ) -> None:
        self._counters = counters
        self._wall_clock = wall_clock
        self._max_future_skew = max_future_skew
        self._max_jump = max_jump.ns
        self._confirm = confirm
        self._hold = hold.ns
        # stream -> (latest accepted data time, wall time when accepted), in ns
        self._latest: dict[StreamId, tuple[int, int]] = {}
        self._overall: tuple[int, int] | None = None
        self._held: dict[StreamId, list[tuple[Message[Any], int]]] = {}

    def filter(self, messages: list[Message[Any]]) -> list[Message[Any]]:
        """The believable messages, in order; held ones may come back later."""
        now = self._wall_clock().ns
        latest_allowed = now + self._max_future_skew.ns
        kept: list[Message[Any]] = []
        for message in messages:
            ts = message.timestamp.ns
            if ts <= 0 or ts < EARLIEST_PLAUSIBLE.ns or ts > latest_allowed:
                log_sparsely(
                    logger,
                    self._counters,
                    "dropped_absurd_timestamp",
                    "stream %s: timestamp %d ns is implausible; message dropped",
                    message.stream,
                    ts,
                )
                continue
            expected = self._expected(message.stream, now)
            if expected is not None and ts > expected + self._max_jump:
                kept.extend(self._hold_back(message, now))
                continue
            self._accept(message, now)
            kept.append(message)
        self._expire(now)
        return kept

    def _expected(self, stream: StreamId, now: int) -> int | None:
        """Where the stream's data time should be now, if it can be told."""
        seen = self._latest.get(stream) or self._overall
        if seen is None:
            return None
        data_ns, wall_ns = seen
        return data_ns + max(0, now - wall_ns)

    def _accept(self, message: Message[Any], now: int) -> None:
        ts = message.timestamp.ns
        previous = self._latest.get(message.stream)
        if previous is None or ts >= previous[0]:
            self._latest[message.stream] = (ts, now)
        if self._overall is None or ts >= self._overall[0]:
            self._overall = (ts, now)

    def _hold_back(self, message: Message[Any], now: int) -> list[Message[Any]]:
        held = self._held.setdefault(message.stream, [])
        held.append((message, now))
        if len(held) < self._confirm:
            return []
        del self._held[message.stream]
        self._counters.increment("time_jumps_accepted")
        logger.warning(
            "stream %s: data time jumped ahead by %s; confirmed by %d messages",
            message.stream,
            Duration(
                held[0][0].timestamp.ns - (self._expected(message.stream, now) or 0)
            ),
            len(held),
        )
        released = [m for m, _ in held]
        for m in released:
            self._accept(m, now)
        return released

    def _expire(self, now: int) -> None:
        for stream in list(self._held):
            held = self._held[stream]
            if now - held[0][1] < self._hold:
                continue
            del self._held[stream]
            for message, _ in held:
                log_sparsely(
                    logger,
                    self._counters,
                    "dropped_time_jump",
                    "stream %s: timestamp %d ns is far ahead of the stream and"
                    " was not confirmed; message dropped",
                    message.stream,
                    message.timestamp.ns,
                )
