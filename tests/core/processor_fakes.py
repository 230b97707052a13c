"""Fakes shared by the processor tests: a window accumulator and a settable clock."""

from typing import Any

from livedata.core.timestamp import Timestamp

S = 1_000_000_000
T0 = 1_700_000_000 * S


class SumAccumulator:
    """Window semantics: sums what was added since the last ``get``."""

    def __init__(self) -> None:
        self.total: int | None = None

    def add(self, timestamp: Timestamp, data: Any) -> None:
        if not isinstance(data, int):
            raise TypeError(f"expected int, got {type(data).__name__}")
        self.total = (self.total or 0) + data

    def get(self) -> int:
        if self.total is None:
            raise ValueError("no data")
        value, self.total = self.total, None
        return value

    def clear(self) -> None:
        self.total = None

    @property
    def is_empty(self) -> bool:
        return self.total is None


class FakeClock:
    """A wall clock that moves only when a test sets ``now``."""

    def __init__(self, now: int = T0) -> None:
        self.now = Timestamp(now)

    def __call__(self) -> Timestamp:
        return self.now
