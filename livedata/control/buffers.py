"""Per-result buffers on the client (D7): a bounded history or just the latest value.

A 1-d spectrum or a 0-d count published every second is worth keeping as a time
series (sparklines, windowed sums); a 2-d image is not, unless a reader asks
for more than its latest frame (a window sum), and an output that already
carries its own ``time`` axis (a timeseries' whole history) never is, so only
its latest value is kept. ``buffer_for`` picks one per output.

The history is a ring of preallocated NumPy rows that doubles its capacity when
full, so an append is amortised O(1) instead of a scipp concatenate (O(n) per
append). The ring never exceeds ``memory_cap_bytes``: once it is at the cap the
oldest row is overwritten and counted in ``dropped``. scipp is imported lazily so
that importing this module stays cheap for the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import scipp as sc

TIME = "time"
START_TIME = "start_time"
_INITIAL_CAPACITY = 4


class ResultBuffer(Protocol):
    """What the data service and the extractors need from a buffer."""

    @property
    def is_time_series(self) -> bool: ...

    def append(self, da: sc.DataArray, fallback_time_ns: int) -> None: ...

    def latest(self) -> sc.DataArray | None: ...

    def history(self) -> sc.DataArray | None:
        """All kept frames stacked along ``time`` (oldest first), or None."""
        ...

    @property
    def nbytes(self) -> int: ...


def _time_ns(da: sc.DataArray, name: str, fallback: int) -> int:
    """A 0-d time coordinate as integer ns (int64 ns or datetime64), else fallback."""
    import scipp as sc

    coord = da.coords.get(name)
    if coord is None or coord.ndim != 0:
        return fallback
    if coord.dtype == sc.DType.datetime64:
        return int(coord.to(unit="ns").value.astype("datetime64[ns]").astype(np.int64))
    return int(coord.to(unit="ns", dtype="int64").value)


@dataclass(frozen=True)
class _Layout:
    """What every frame of one history must share; a change starts a new history."""

    dims: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: np.dtype
    unit: str | None
    has_variances: bool

    @classmethod
    def of(cls, da: sc.DataArray) -> _Layout:
        unit = None if da.unit is None else str(da.unit)
        values = np.asarray(da.values)
        return cls(
            tuple(da.dims),
            tuple(da.shape),
            values.dtype,
            unit,
            da.variances is not None,
        )

    @property
    def row_bytes(self) -> int:
        per_value = self.dtype.itemsize * (2 if self.has_variances else 1)
        return per_value * int(np.prod(self.shape, dtype=np.int64)) + 16  # 2 times


class TemporalBuffer:
    """A bounded, growing history of frames of one result stream (a ring).

    Not thread-safe: the data service holds a lock around every call.
    """

    is_time_series = True

    def __init__(self, memory_cap_bytes: int) -> None:
        if memory_cap_bytes <= 0:
            raise ValueError("memory_cap_bytes must be positive")
        self._cap_bytes = memory_cap_bytes
        self.dropped = 0  # frames overwritten because the cap was reached
        self.resets = 0  # histories discarded because the frame layout changed
        self._layout: _Layout | None = None
        self._clear()

    def _clear(self) -> None:
        self._values: np.ndarray | None = None
        self._variances: np.ndarray | None = None
        self._times = np.empty(0, dtype=np.int64)
        self._start_times = np.empty(0, dtype=np.int64)
        self._start = 0  # index of the oldest row in the ring
        self._length = 0
        self._last: sc.DataArray | None = None
        self._time_is_datetime = False

    # --- sizes -------------------------------------------------------------

    @property
    def capacity(self) -> int:
        return len(self._times)

    @property
    def max_rows(self) -> int:
        if self._layout is None:
            return 0
        return max(1, self._cap_bytes // self._layout.row_bytes)

    def __len__(self) -> int:
        return self._length

    @property
    def nbytes(self) -> int:
        total = self._times.nbytes + self._start_times.nbytes
        for array in (self._values, self._variances):
            if array is not None:
                total += array.nbytes
        return total

    # --- writing -----------------------------------------------------------

    def append(self, da: sc.DataArray, fallback_time_ns: int) -> None:
        import scipp as sc

        layout = _Layout.of(da)
        if layout != self._layout:
            if self._layout is not None:
                self.resets += 1
            self._layout = layout
            self._clear()
        time_coord = da.coords.get(TIME)
        self._time_is_datetime = (
            time_coord is not None and time_coord.dtype == sc.DType.datetime64
        )
        end = _time_ns(da, TIME, fallback_time_ns)
        start = _time_ns(da, START_TIME, end)
        if self._length == self.capacity:
            if self.capacity < self.max_rows:
                self._grow(
                    min(self.max_rows, max(_INITIAL_CAPACITY, 2 * self.capacity))
                )
            else:
                self._start = (self._start + 1) % self.capacity
                self._length -= 1
                self.dropped += 1
        row = (self._start + self._length) % self.capacity
        self._values[row] = da.values
        if self._variances is not None:
            self._variances[row] = da.variances
        self._times[row] = end
        self._start_times[row] = start
        self._length += 1
        self._last = da

    def _ordered(self, array: np.ndarray) -> np.ndarray:
        """The live rows oldest first, as a new array (a copy, never a view)."""
        index = (self._start + np.arange(self._length)) % max(1, len(array))
        return array[index]

    def _grow(self, capacity: int) -> None:
        layout = self._layout
        values = np.empty((capacity, *layout.shape), dtype=layout.dtype)
        variances = (
            np.empty((capacity, *layout.shape), dtype=layout.dtype)
            if layout.has_variances
            else None
        )
        times = np.empty(capacity, dtype=np.int64)
        starts = np.empty(capacity, dtype=np.int64)
        n = self._length
        if n:
            values[:n] = self._ordered(self._values)
            if variances is not None:
                variances[:n] = self._ordered(self._variances)
            times[:n] = self._ordered(self._times)
            starts[:n] = self._ordered(self._start_times)
        self._values, self._variances = values, variances
        self._times, self._start_times = times, starts
        self._start = 0

    # --- reading -----------------------------------------------------------

    def latest(self) -> sc.DataArray | None:
        return None if self._last is None else self._last.copy()

    def history(self) -> sc.DataArray | None:
        import scipp as sc

        if self._length == 0 or self._last is None:
            return None
        layout = self._layout
        dims = [TIME, *layout.dims]
        data = sc.array(
            dims=dims,
            values=self._ordered(self._values),
            variances=(
                None if self._variances is None else self._ordered(self._variances)
            ),
            unit=layout.unit,
        )
        coords: dict[str, Any] = {
            name: coord.copy()
            for name, coord in self._last.coords.items()
            if name not in (TIME, START_TIME) and TIME not in coord.dims
        }
        coords[TIME] = self._time_variable(self._ordered(self._times))
        coords[START_TIME] = self._time_variable(self._ordered(self._start_times))
        masks = {name: mask.copy() for name, mask in self._last.masks.items()}
        return sc.DataArray(data, coords=coords, masks=masks, name=self._last.name)

    def _time_variable(self, ns: np.ndarray) -> sc.Variable:
        import scipp as sc

        if self._time_is_datetime:
            return sc.array(dims=[TIME], values=ns.view("datetime64[ns]"), unit="ns")
        return sc.array(dims=[TIME], values=ns, unit="ns", dtype="int64")


class SingleValueBuffer:
    """Keeps only the latest value: images and outputs that are whole histories."""

    is_time_series = False

    def __init__(self) -> None:
        self._value: sc.DataArray | None = None
        self.dropped = 0
        self.resets = 0

    def append(self, da: sc.DataArray, fallback_time_ns: int) -> None:
        self._value = da

    def latest(self) -> sc.DataArray | None:
        return None if self._value is None else self._value.copy()

    def history(self) -> sc.DataArray | None:
        return None

    @property
    def nbytes(self) -> int:
        if self._value is None:
            return 0
        return int(np.asarray(self._value.values).nbytes)


def keeps_history(da: sc.DataArray) -> bool:
    """0-d and 1-d frames without their own ``time`` axis are worth a history."""
    return da.ndim <= 1 and can_stack(da)


def can_stack(da: sc.DataArray) -> bool:
    """Frames can be stacked along ``time`` unless they already have that axis."""
    return TIME not in da.dims


def wants_history(da: sc.DataArray, requested: bool) -> bool:
    """A history by default for small frames; for any stackable frame when a
    reader needs one (a window sum of images)."""
    return keeps_history(da) or (requested and can_stack(da))


def buffer_for(
    da: sc.DataArray, memory_cap_bytes: int, *, history: bool = False
) -> ResultBuffer:
    """The buffer kind that suits a frame; ``history``: a reader needs one."""
    if wants_history(da, history):
        return TemporalBuffer(memory_cap_bytes)
    return SingleValueBuffer()
