"""Correlation histograms (D14): one output histogrammed against others' time series.

"Counts against ``motion1``": every frame of the primary output (a 0-d result
per window, with its ``start_time`` and ``time``) is put in the bin of the value
each axis had at the frame's end, the value in effect then (sample and hold, as
a motor stays where it was last reported). 1-D with one axis, 2-D with two.
Normalised as ``counts`` (the sum of the primary in each bin) or ``per_second``
(that sum over the seconds of data that fell in the bin). Frames before an
axis's first value fall in no bin and are counted in ``unplaced``.

Axis candidates are found from what is on offer: 0-d outputs (their history),
outputs that are their own time series (dim ``time``), and the instrument's
f144 logs (which the timeseries service publishes once a job runs for them).
No UI imports; scipp and numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    import scipp as sc

    from .snapshots import ResultRow

TIME = "time"
START_TIME = "start_time"


class Normalisation(StrEnum):
    """``counts``: the sum per bin; ``per_second``: that sum over its seconds."""

    COUNTS = "counts"
    PER_SECOND = "per_second"


@dataclass(frozen=True)
class Bins:
    """``num_bins`` equal bins from ``start`` to ``stop`` (an axis's unit)."""

    start: float
    stop: float
    num_bins: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.stop)):
            raise ValueError("bin limits must be finite")
        if not self.start < self.stop:
            raise ValueError(f"bins need start < stop, got {self.start}, {self.stop}")
        if not 1 <= self.num_bins <= 10_000:
            raise ValueError(f"num_bins must be 1..10000, got {self.num_bins}")

    @property
    def edges(self) -> np.ndarray:
        return np.linspace(self.start, self.stop, self.num_bins + 1)


@dataclass(frozen=True)
class TimeSeries:
    """Values at times (ns since the epoch, ascending), with a unit and a name.

    ``starts_ns`` (the start of each frame's data window) only for a primary.
    """

    name: str
    times_ns: np.ndarray
    values: np.ndarray
    unit: str | None = None
    starts_ns: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.times_ns.shape != self.values.shape or self.values.ndim != 1:
            raise ValueError(f"{self.name}: times and values must be 1-d and match")
        order = np.argsort(self.times_ns, kind="stable")
        object.__setattr__(self, "times_ns", np.asarray(self.times_ns)[order])
        object.__setattr__(self, "values", np.asarray(self.values, dtype=float)[order])
        if self.starts_ns is not None:
            object.__setattr__(self, "starts_ns", np.asarray(self.starts_ns)[order])

    @classmethod
    def from_dataarray(cls, name: str, da: sc.DataArray) -> TimeSeries:
        """A history stacked along ``time`` (data service) or a time-series output."""
        if da.ndim != 1 or da.dim != TIME or TIME not in da.coords:
            raise ValueError(f"{name}: not a time series (dims {da.dims})")
        starts = None
        if START_TIME in da.coords and da.coords[START_TIME].ndim == 1:
            starts = _ns(da.coords[START_TIME])
        unit = None if da.unit is None else str(da.unit)
        return cls(name, _ns(da.coords[TIME]), np.asarray(da.values), unit, starts)

    def value_at(self, times_ns: np.ndarray) -> np.ndarray:
        """The value in effect at each time (last at or before it); NaN before
        the first value."""
        index = np.searchsorted(self.times_ns, times_ns, side="right") - 1
        out = np.full(np.shape(times_ns), np.nan)
        ok = index >= 0
        out[ok] = self.values[index[ok]]
        return out


def correlation_histogram(
    primary: TimeSeries,
    axes: Sequence[tuple[TimeSeries, Bins]],
    normalisation: Normalisation = Normalisation.COUNTS,
) -> sc.DataArray:
    """The primary summed into bins of one or two axes (dims named after them).

    Carries the ``unplaced`` frames (before an axis's first value, or outside
    its bins) as a 0-d coord, so a plot can say what it left out.
    """
    import scipp as sc

    if len(axes) not in (1, 2):
        raise ValueError(f"a correlation histogram has 1 or 2 axes, got {len(axes)}")
    names = [axis.name for axis, _ in axes]
    if len(set(names)) != len(names):
        raise ValueError(f"axes must differ, got {names}")
    samples = [axis.value_at(primary.times_ns) for axis, _ in axes]
    edges = [bins.edges for _, bins in axes]
    placed = np.all(
        [
            np.isfinite(s) & (s >= e[0]) & (s <= e[-1])
            for s, e in zip(samples, edges, strict=True)
        ],
        axis=0,
    )
    finite = np.isfinite(primary.values)
    use = placed & finite
    weights = primary.values[use]
    coords = [s[use] for s in samples]
    summed, _ = np.histogramdd(coords, bins=edges, weights=weights)
    unit = primary.unit
    if normalisation is Normalisation.PER_SECOND:
        if primary.starts_ns is None:
            raise ValueError(
                f"{primary.name}: per_second needs each frame's start_time"
            )
        seconds = (primary.times_ns - primary.starts_ns)[use] / 1e9
        exposure, _ = np.histogramdd(coords, bins=edges, weights=seconds)
        with np.errstate(invalid="ignore", divide="ignore"):
            summed = np.where(exposure > 0, summed / exposure, np.nan)
        unit = f"{unit}/s" if unit else "1/s"
    dims = [_dim(n) for n in names]
    out = sc.DataArray(
        sc.array(dims=dims, values=summed, unit=unit),
        coords={
            dim: sc.array(dims=[dim], values=e, unit=axis.unit)
            for dim, e, (axis, _) in zip(dims, edges, axes, strict=True)
        },
    )
    out.coords["unplaced"] = sc.scalar(int((~placed & finite).sum()), unit=None)
    return out


def _dim(name: str) -> str:
    return name.replace("/", "_")


def _ns(coord: Any) -> np.ndarray:
    values = np.asarray(coord.values)
    if values.dtype.kind == "M":
        return values.astype("datetime64[ns]").astype(np.int64)
    return values.astype(np.int64)


class BinParams(BaseModel):
    """The form of one axis's bins (a plot cell's params, pydantic at the edge)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: float
    stop: float
    num_bins: int = Field(default=50, ge=1, le=10_000)

    @model_validator(mode="after")
    def _ordered(self) -> BinParams:
        self.bins()  # ValueError with the reason
        return self

    def bins(self) -> Bins:
        return Bins(self.start, self.stop, self.num_bins)


class CorrelationParams(BaseModel):
    """What a correlation cell needs besides its inputs: bins per axis (one
    for 1-D, two for 2-D) and the normalisation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    x_bins: BinParams
    y_bins: BinParams | None = None
    normalisation: Normalisation = Normalisation.COUNTS

    @property
    def bins(self) -> tuple[Bins, ...]:
        axes = (self.x_bins, self.y_bins) if self.y_bins else (self.x_bins,)
        return tuple(b.bins() for b in axes)


# -- axis candidates -------------------------------------------------------------


@dataclass(frozen=True)
class AxisCandidate:
    """Something a correlation axis can be: a result key (JSON) or a log."""

    label: str
    kind: str  # "output" (a 0-d result's history), "timeseries", or "log"
    unit: str | None
    key: str | None = None  # the result key, when one is being published
    log: str | None = None  # the f144 source, for a log no job publishes yet


def axis_candidates(
    rows: Iterable[ResultRow],
    logs: Iterable[tuple[str, str | None]] = (),
    exclude: str | None = None,
) -> list[AxisCandidate]:
    """Axis candidates from results on offer and the instrument's f144 logs.

    ``rows``: the data service's result rows (0-d outputs and time-series
    outputs qualify); ``logs``: (source name, unit) of the instrument's logs; a
    log already published as a time series is offered once, as that output.
    ``exclude``: the primary's key, which cannot be its own axis.
    """
    out: list[AxisCandidate] = []
    published_logs = set()
    for row in rows:
        if row.key == exclude:
            continue
        if row.dims == ():
            kind = "output"
        elif row.dims == (TIME,):
            kind = "timeseries"
        else:
            continue
        source = row.job_id.rpartition("/")[0]
        if kind == "timeseries":
            published_logs.add(source)
        out.append(
            AxisCandidate(f"{source} {row.output_name}", kind, row.unit, key=row.key)
        )
    for name, unit in logs:
        if name not in published_logs:
            out.append(AxisCandidate(name, "log", unit, log=name))
    return out


def from_data_service(
    get: Callable[..., sc.DataArray | None],
    primary_key: str,
    axis_keys: Sequence[tuple[str, Bins]],
    normalisation: Normalisation = Normalisation.COUNTS,
) -> sc.DataArray | None:
    """The histogram of what a ``DataService`` holds; None until every input has
    data. ``get`` is ``DataService.get``: the primary's history is asked for
    (from now on it is kept), an axis is read as its history or time series."""
    from .data_service import _name
    from .extractors import FullHistory

    primary = get(primary_key, FullHistory())
    axes = [(get(key, FullHistory()), bins) for key, bins in axis_keys]
    if primary is None or any(a is None for a, _ in axes):
        return None
    if primary.ndim == 0:
        return None  # one frame so far: no history yet
    series = [
        (TimeSeries.from_dataarray(_label(_name(key)), a), bins)
        for (key, _), (a, bins) in zip(axis_keys, axes, strict=True)
    ]
    return correlation_histogram(
        TimeSeries.from_dataarray("primary", primary), series, normalisation
    )


def _label(key: str) -> str:
    from ..core.identifiers import ResultKey

    try:
        parsed = ResultKey.from_json(key)
    except ValueError:
        return key
    return parsed.job_id.source_name
