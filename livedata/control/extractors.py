"""What a reader sees of a buffered result (D7): latest, windowed aggregate, history.

A plot of a monitor spectrum wants the latest frame; a "last 10 s" view wants
those frames summed (counts add up over time) or averaged (a temperature or a
normalised intensity does not); a sparkline wants the whole history. Extractors
are small frozen values so a client can keep one per view and compare them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

import numpy as np

from .buffers import START_TIME, TIME, ResultBuffer

if TYPE_CHECKING:
    import scipp as sc


class Extractor(Protocol):
    """Reads one view of a result's buffer; ``None`` while there is nothing."""

    # Whether it reads more than the latest frame: the data service then keeps
    # a history of the stream even when its frames (images) would not get one.
    needs_history: ClassVar[bool]

    def extract(self, buffer: ResultBuffer) -> sc.DataArray | None: ...


def is_counts_like(da: sc.DataArray) -> bool:
    """Counts add up over time: unit ``counts``, or a dimensionless integer."""
    unit = None if da.unit is None else str(da.unit)
    if unit == "counts":
        return True
    return unit == "dimensionless" and np.asarray(da.values).dtype.kind in "iu"


@dataclass(frozen=True)
class LatestValue:
    """The most recent frame as published (with its 0-d ``time`` coordinates)."""

    needs_history: ClassVar[bool] = False

    def extract(self, buffer: ResultBuffer) -> sc.DataArray | None:
        return buffer.latest()


@dataclass(frozen=True)
class FullHistory:
    """Every kept frame stacked along ``time``; the latest value for non-series."""

    needs_history: ClassVar[bool] = True

    def extract(self, buffer: ResultBuffer) -> sc.DataArray | None:
        if not buffer.is_time_series:
            return buffer.latest()
        return buffer.history()


@dataclass(frozen=True)
class WindowAggregate:
    """Frames whose ``time`` lies in the last ``seconds`` before the newest frame,
    summed (counts-like, NaN ignored) or averaged (NaN ignored) over ``time``.

    The result carries 0-d ``start_time`` (earliest in the window) and ``time``
    (newest). Buffers that keep no history give their latest value.
    """

    seconds: float
    needs_history: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"window must be positive, not {self.seconds}")

    def extract(self, buffer: ResultBuffer) -> sc.DataArray | None:
        import scipp as sc

        if not buffer.is_time_series:
            return buffer.latest()
        history = buffer.history()
        if history is None:
            return None
        times = _ns(history.coords[TIME])
        newest = int(times.max())
        in_window = times > newest - round(self.seconds * 1e9)
        window = history[sc.array(dims=[TIME], values=in_window)]
        if is_counts_like(window):
            reduced = sc.nansum(window, TIME)
        elif window.dtype in (sc.DType.float64, sc.DType.float32):
            reduced = sc.nanmean(window, TIME)
        else:
            reduced = sc.mean(window.to(dtype="float64"), TIME)
        reduced = reduced.drop_coords(
            [n for n in (TIME, START_TIME) if n in reduced.coords]
        )
        reduced.coords[START_TIME] = sc.min(window.coords[START_TIME])
        reduced.coords[TIME] = sc.max(window.coords[TIME])
        return reduced


def _ns(coord: sc.Variable) -> np.ndarray:
    values = np.asarray(coord.values)
    if values.dtype.kind == "M":
        return values.astype("datetime64[ns]").astype(np.int64)
    return values.astype(np.int64)
