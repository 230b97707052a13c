"""Accumulators used inside essreduce StreamProcessor workflows (B4).

essreduce's own ``EternalAccumulator`` deep-copies its value on every read, which
for a detector image of millions of pixels costs more than the histogramming.
These two hand out their internal object instead; they import ``ess.reduce``, so
this module is loaded only by workflows that use it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ess.reduce.streaming import Accumulator

T = TypeVar("T")


def _fresh_copy(value: Any) -> Any:
    # One copy per window or restart, so later in-place additions never
    # reach the object the workflow computed (it may be cached upstream).
    copy = getattr(value, "copy", None)
    return copy() if callable(copy) else value


class NoCopyAccumulator(Accumulator[T]):
    """Cumulative semantics: the sum of all values pushed since ``clear``.

    Adds in place and returns the internal object without copying. Callers must
    not mutate it; it changes with the next push.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._value: T | None = None

    @property
    def is_empty(self) -> bool:
        return self._value is None

    def _get_value(self) -> T:
        return self._value  # type: ignore[return-value]

    def _do_push(self, value: T) -> None:
        if self._value is None:
            self._value = _fresh_copy(value)
        else:
            self._value += value  # type: ignore[operator]

    def clear(self) -> None:
        self._value = None


class NoCopyWindowAccumulator(Accumulator[T]):
    """Window semantics: the sum of the values pushed since the value was last read.

    Returns the internal object; the first push after a read starts a fresh sum
    instead of zeroing the returned one, so a value handed out stays valid. Read
    again without a push in between, it returns the same (last) window.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._value: T | None = None
        self._handed_out = False

    @property
    def is_empty(self) -> bool:
        return self._value is None

    def _get_value(self) -> T:
        self._handed_out = True
        return self._value  # type: ignore[return-value]

    def _do_push(self, value: T) -> None:
        if self._value is None or self._handed_out:
            self._value = _fresh_copy(value)
            self._handed_out = False
        else:
            self._value += value  # type: ignore[operator]

    def clear(self) -> None:
        self._value = None
        self._handed_out = False
