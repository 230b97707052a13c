"""Axis and colour ranges that follow the data without jitter (D17).

A range grows when the data leaves it by more than ``grow`` (10 %) of its span
and shrinks when more than ``shrink`` (half) of it is empty for the envelope of
the last ``memory`` frames. Each change fits that envelope with a ``margin``
(20 %) on both sides, so a range set from noisy data sits well inside both
thresholds: counting noise never moves it again (hysteresis), and a range that
just grew cannot shrink back at the next frame (no grow/shrink cycles).
``update`` answers None when nothing needs to change, so a presenter touches
its Bokeh range only on a real rescale.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

Range = tuple[float, float]


@dataclass
class Autoscaler:
    grow: float = 0.10
    shrink: float = 0.50
    margin: float = 0.20
    log: bool = False  # ranges in decades (colour and axis log scales)
    memory: int = 20
    current: Range | None = None
    _recent: deque[Range] = field(default_factory=deque, repr=False)

    def update(self, low: float, high: float) -> Range | None:
        """The new range for data in [low, high], or None to keep the current one."""
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            return None
        if self.log:
            if high <= 0:
                return None
            low = high * 1e-6 if low <= 0 else low
            low, high = math.log10(low), math.log10(high)
        proposed = self._decide(low, high)
        if proposed is None:
            return None
        self.current = proposed
        return self._out(proposed)

    def fit(self, low: float, high: float) -> Range | None:
        """One-shot: forget the current range and fit the data."""
        self.current = None
        self._recent.clear()
        return self.update(low, high)

    def range(self) -> Range | None:
        return None if self.current is None else self._out(self.current)

    def _decide(self, low: float, high: float) -> Range | None:
        self._recent.append((low, high))
        while len(self._recent) > self.memory:
            self._recent.popleft()
        env_low = min(r[0] for r in self._recent)
        env_high = max(r[1] for r in self._recent)
        if self.current is None:
            return self._padded(env_low, env_high)
        lo, hi = self.current
        span = hi - lo
        outside = max(lo - low, high - hi, 0.0)
        used = (min(env_high, hi) - max(env_low, lo)) / span if span > 0 else 1.0
        if outside > self.grow * span or used < 1.0 - self.shrink:
            return self._padded(env_low, env_high)
        return None

    def _padded(self, low: float, high: float) -> Range:
        """``[low, high]`` with the margin; never padded across zero (counts
        start at 0, and colour spent below it is wasted)."""
        span = high - low
        if span <= 0:
            pad = abs(low) * 0.5 if low != 0 else 0.5
            padded = (low - pad, high + pad)
        else:
            padded = (low - self.margin * span, high + self.margin * span)
        if not self.log and low >= 0 > padded[0]:
            padded = (0.0, padded[1])
        return padded

    def _out(self, r: Range) -> Range:
        return (10 ** r[0], 10 ** r[1]) if self.log else r
