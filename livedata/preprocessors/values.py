"""Accumulators of dense values: running sums and the latest value (B3, B4)."""

from __future__ import annotations

import logging
from typing import Any

import scipp as sc

from livedata.core.metrics import Counters
from livedata.core.timestamp import Timestamp

logger = logging.getLogger(__name__)


def _same_layout(a: sc.DataArray, b: sc.DataArray) -> bool:
    """Whether ``b`` can be added to ``a``: same sizes, unit and coordinates."""
    return (
        a.sizes == b.sizes
        and a.unit == b.unit
        and a.dtype == b.dtype
        and a.coords.keys() == b.coords.keys()
        and all(sc.identical(a.coords[name], b.coords[name]) for name in a.coords)
    )


class Cumulative:
    """Sums DataArrays (da00 monitor histograms, ad00 frames).

    ``clear_on_get=False``: cumulative semantics, the sum since the last ``clear``.
    ``clear_on_get=True``: window semantics, the sum since the last ``get``.

    A value whose coordinates or shape differ from the sum so far (new bin edges,
    another camera mode) restarts the sum from it, counted as
    ``cumulative_restarts``: mixing layouts would be meaningless.

    The returned object is never modified afterwards: the first ``add`` after a
    ``get`` makes a new sum instead of adding in place.
    """

    def __init__(
        self, clear_on_get: bool = False, *, counters: Counters | None = None
    ) -> None:
        self._clear_on_get = clear_on_get
        self._counters = counters if counters is not None else Counters()
        self._sum: sc.DataArray | None = None
        self._handed_out = False

    def add(self, timestamp: Timestamp, data: sc.DataArray) -> None:
        if not isinstance(data, sc.DataArray):
            raise TypeError(f"expected a scipp DataArray, got {type(data).__name__}")
        if self._sum is not None and not _same_layout(self._sum, data):
            self._counters.increment("cumulative_restarts")
            logger.info("layout changed (sizes %s); restarting the sum", data.sizes)
            self._sum = None
        if self._sum is None:
            self._sum = data.copy()  # the caller's array must stay as it was
        elif self._handed_out:
            self._sum = self._sum + data
        else:
            self._sum += data
        self._handed_out = False

    def get(self) -> sc.DataArray:
        if self._sum is None:
            raise ValueError("Cumulative: nothing accumulated")
        value = self._sum
        if self._clear_on_get:
            self.clear()
        else:
            self._handed_out = True
        return value

    def clear(self) -> None:
        self._sum = None
        self._handed_out = False

    @property
    def is_empty(self) -> bool:
        return self._sum is None


class LatestValue:
    """Keeps only the latest value (ROI definitions, context); get does not clear."""

    def __init__(self) -> None:
        self._value: Any = None
        self._has_value = False

    def add(self, timestamp: Timestamp, data: Any) -> None:
        self._value = data
        self._has_value = True

    def get(self) -> Any:
        if not self._has_value:
            raise ValueError("LatestValue: no value yet")
        return self._value

    def clear(self) -> None:
        self._value = None
        self._has_value = False

    @property
    def is_empty(self) -> bool:
        return not self._has_value
