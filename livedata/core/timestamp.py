"""Nanosecond time values taken from the data, never from a wall clock (A2)."""

from __future__ import annotations

import datetime as _dt
import time as _time
from dataclasses import dataclass

NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """A signed span of time in integer nanoseconds."""

    ns: int

    @classmethod
    def from_seconds(cls, seconds: float) -> Duration:
        return cls(round(seconds * NS_PER_S))

    @classmethod
    def from_ms(cls, ms: float) -> Duration:
        return cls(round(ms * 1_000_000))

    def to_seconds(self) -> float:
        return self.ns / NS_PER_S

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.ns + other.ns)

    def __sub__(self, other: Duration) -> Duration:
        return Duration(self.ns - other.ns)

    def __mul__(self, factor: int) -> Duration:
        return Duration(self.ns * factor)

    __rmul__ = __mul__

    def __floordiv__(self, other: Duration) -> int:
        return self.ns // other.ns

    def __neg__(self) -> Duration:
        return Duration(-self.ns)

    def __str__(self) -> str:
        return f"{self.to_seconds():g} s"


@dataclass(frozen=True, slots=True, order=True)
class Timestamp:
    """A point in time: integer nanoseconds since the Unix epoch, UTC."""

    ns: int

    @classmethod
    def from_seconds(cls, seconds: float) -> Timestamp:
        return cls(round(seconds * NS_PER_S))

    @classmethod
    def now(cls) -> Timestamp:
        """Wall clock; only for heartbeats, logging and Kafka message times."""
        return cls(_time.time_ns())

    def to_seconds(self) -> float:
        return self.ns / NS_PER_S

    def to_datetime(self) -> _dt.datetime:
        seconds, rest = divmod(self.ns, NS_PER_S)
        base = _dt.datetime.fromtimestamp(seconds, tz=_dt.UTC)
        return base + _dt.timedelta(microseconds=rest // 1000)

    def __add__(self, other: Duration) -> Timestamp:
        return Timestamp(self.ns + other.ns)

    def __sub__(self, other):
        if isinstance(other, Timestamp):
            return Duration(self.ns - other.ns)
        return Timestamp(self.ns - other.ns)

    def __str__(self) -> str:
        return self.to_datetime().isoformat(timespec="milliseconds")


PULSE_FREQUENCY_HZ = 14
PULSE_PERIOD = Duration(NS_PER_S // PULSE_FREQUENCY_HZ)
