"""Slow-control log values as a NeXus NXlog, kept in a bounded buffer (B3, B4, G8)."""

from __future__ import annotations

import logging

import numpy as np
import scipp as sc

from livedata.core.events import LogValue
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.metrics import Counters
from livedata.core.timestamp import NS_PER_S, Duration, Timestamp

logger = logging.getLogger(__name__)

ONE_DAY = Duration(86_400 * NS_PER_S)


class ToNXlog:
    """Cumulative semantics: the history of one log stream as scippnexus loads NXlog.

    The result has dim ``time`` (datetime64 ns coordinate) and values in the
    registry's unit and dtype. Scipp has no appendable array, so entries live in
    NumPy arrays whose capacity doubles when full (amortised O(1) appends); the
    history is trimmed to ``max_entries`` (oldest dropped) and to entries at most
    ``max_age`` older than the newest. Entries stay sorted by time; a late entry
    is inserted in place. Values outside ``value_min``/``value_max`` are kept
    (the reading is real, the range may be wrong) but counted as
    ``log_values_out_of_range``. ``get`` returns a copy.
    """

    def __init__(
        self,
        attributes: LogDataAttributes,
        max_entries: int = 100_000,
        max_age: Duration = ONE_DAY,
        *,
        counters: Counters | None = None,
        initial_capacity: int = 16,
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self._attributes = attributes
        self._dtype = np.dtype(attributes.dtype)
        self._max_entries = max_entries
        self._max_age = max_age
        self._counters = counters if counters is not None else Counters()
        self._initial_capacity = max(1, initial_capacity)
        self._times = np.empty(self._initial_capacity, dtype=np.int64)
        self._values = np.empty(self._initial_capacity, dtype=self._dtype)
        self._start = 0
        self._stop = 0

    def __len__(self) -> int:
        return self._stop - self._start

    @property
    def is_empty(self) -> bool:
        return self._stop == self._start

    @property
    def capacity(self) -> int:
        return len(self._times)

    def add(self, timestamp: Timestamp, data: LogValue) -> None:
        if not isinstance(data, LogValue):
            raise TypeError(f"expected LogValue, got {type(data).__name__}")
        value = np.asarray(data.value, dtype=self._dtype)
        if value.shape != self._values.shape[1:]:
            self._restart_for_shape(value.shape)
        self._check_range(value)
        self._ensure_room()
        position = self._insertion_point(data.timestamp_ns)
        if position < self._stop:  # late entry: shift the newer ones right
            self._times[position + 1 : self._stop + 1] = self._times[
                position : self._stop
            ]
            self._values[position + 1 : self._stop + 1] = self._values[
                position : self._stop
            ]
        self._times[position] = data.timestamp_ns
        self._values[position] = value
        self._stop += 1
        self._trim()

    def get(self) -> sc.DataArray:
        if self.is_empty:
            raise ValueError("ToNXlog: no log values")
        live = slice(self._start, self._stop)
        extra_dims = [f"dim_{i + 1}" for i in range(self._values.ndim - 1)]
        # sc.array copies, so the result never aliases the ring buffer
        return sc.DataArray(
            sc.array(
                dims=["time", *extra_dims],
                values=self._values[live],
                unit=self._attributes.unit,
                dtype=self._dtype,
            ),
            coords={
                "time": sc.array(
                    dims=["time"],
                    values=self._times[live].view("datetime64[ns]"),
                    unit="ns",
                )
            },
        )

    def clear(self) -> None:
        self._start = self._stop = 0

    def _restart_for_shape(self, shape: tuple[int, ...]) -> None:
        if not self.is_empty:
            self._counters.increment("log_shape_changes")
            logger.info("log value shape changed to %s; history restarted", shape)
        self._times = np.empty(self._initial_capacity, dtype=np.int64)
        self._values = np.empty((self._initial_capacity, *shape), dtype=self._dtype)
        self._start = self._stop = 0

    def _check_range(self, value: np.ndarray) -> None:
        low, high = self._attributes.value_min, self._attributes.value_max
        if value.dtype.kind not in "iuf":
            return
        if (low is not None and np.any(value < low)) or (
            high is not None and np.any(value > high)
        ):
            self._counters.increment("log_values_out_of_range")

    def _ensure_room(self) -> None:
        if self._stop < self.capacity:
            return
        count = len(self)
        # reuse the size if dropping the trimmed entries frees half of it
        grown = self.capacity if count <= self.capacity // 2 else 2 * self.capacity
        capacity = max(self._initial_capacity, grown)
        times = np.empty(capacity, dtype=np.int64)
        values = np.empty((capacity, *self._values.shape[1:]), dtype=self._dtype)
        times[:count] = self._times[self._start : self._stop]
        values[:count] = self._values[self._start : self._stop]
        self._times, self._values = times, values
        self._start, self._stop = 0, count

    def _insertion_point(self, time_ns: int) -> int:
        if self.is_empty or time_ns >= self._times[self._stop - 1]:
            return self._stop
        live = self._times[self._start : self._stop]
        return self._start + int(np.searchsorted(live, time_ns, side="right"))

    def _trim(self) -> None:
        self._start = max(self._start, self._stop - self._max_entries)
        oldest_kept = int(self._times[self._stop - 1]) - self._max_age.ns
        live = self._times[self._start : self._stop]
        self._start += int(np.searchsorted(live, oldest_kept, side="left"))
