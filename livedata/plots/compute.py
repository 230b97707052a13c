"""Stage 1 of plotting (D2): data -> a frozen state, once per new data.

Runs on the background update thread, never in a browser callback: masking,
log scales, downsampling to screen size, finite ranges and time axes are done
here once, however many sessions show the result. States are plain NumPy in
frozen dataclasses, so presenters (stage 2) only copy them into Bokeh sources.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .screen_fit import block_mean
from .specs import CURVE_DIMS, TIME_DIM

if TYPE_CHECKING:
    import scipp as sc
    from pydantic import BaseModel

MAX_IMAGE_SIDE = 1024  # screen pixels: larger images are averaged down in blocks

Frame = tuple[str, "sc.DataArray"]  # (source name, latest data)


@dataclass(frozen=True)
class ImageState:
    values: np.ndarray  # 2-d float32 (rows = first dim), NaN = masked/not drawable
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_label: str
    y_label: str
    unit: str
    low: float  # finite min (positive min in log scale); nan when none
    high: float
    log: bool
    time_ms: float  # data time of the frame (ms since epoch); nan if unknown
    source: str = ""
    downsampled: int = 1  # block size used per axis
    slice_note: str = ""  # slicer: which slice this is
    # Block means for sessions' plot sizes (``screen_fit``), shared by all.
    screen_cache: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Curve:
    label: str
    x: np.ndarray
    y: np.ndarray
    roi: int | None = None  # the ROI index of an ROI spectrum (its colour, D12)


@dataclass(frozen=True)
class LinesState:
    curves: tuple[Curve, ...]
    x_label: str
    y_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    time_ms: float
    datetime_x: bool = False
    log_y: bool = False


@dataclass(frozen=True)
class BarsState:
    labels: tuple[str, ...]
    values: np.ndarray
    y_label: str
    y_range: tuple[float, float]
    time_ms: float


@dataclass(frozen=True)
class TableState:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    time_ms: float


@dataclass(frozen=True)
class NumberState:
    text: str
    unit: str
    label: str
    time_ms: float
    parts: tuple[tuple[str, str], ...] = field(default_factory=tuple)


# --- helpers ---------------------------------------------------------------


def _unit(da: sc.DataArray) -> str:
    return "" if da.unit is None else str(da.unit)


def _time_ms(da: sc.DataArray) -> float:
    """The frame's 0-d ``time`` (end of its data window) in ms since epoch."""
    for name in (TIME_DIM, "end_time"):
        coord = da.coords.get(name)
        if coord is not None and coord.ndim == 0:
            return float(_ns(np.asarray(coord.values)).item()) / 1e6
    return math.nan


def _ns(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "M":
        return values.astype("datetime64[ns]").astype(np.int64)
    return values.astype(np.int64)


def _later(a: float, b: float) -> float:
    """The later of two times, NaN (unknown) only when both are."""
    return b if math.isnan(a) else a if math.isnan(b) else max(a, b)


def _latest(times) -> float:
    out = math.nan
    for t in times:
        out = _later(out, t)
    return out


def _finite_range(values: np.ndarray, positive: bool = False) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if positive:
        finite = finite[finite > 0]
    if finite.size == 0:
        return (math.nan, math.nan)
    return (float(finite.min()), float(finite.max()))


def _masked_values(da: sc.DataArray) -> np.ndarray:
    """Values as float with masked elements NaN (masks travel as NaN, D2)."""
    values = np.array(da.values, dtype=np.float64)
    for mask in da.masks.values():
        m = np.broadcast_to(
            np.asarray(mask.broadcast(sizes=da.sizes).values), values.shape
        )
        values = np.where(m, np.nan, values)
    return values


def axis(da: sc.DataArray, dim: str) -> tuple[np.ndarray, str]:
    """Centres along ``dim`` (float or datetime64[ms]) and a label with unit."""
    n = da.sizes[dim]
    coord = da.coords.get(dim)
    if coord is None or coord.ndim != 1 or coord.dims[0] != dim:
        return np.arange(n, dtype=float), dim
    x = np.asarray(coord.values)
    if x.dtype.kind == "M":
        x = x.astype("datetime64[ms]").astype(np.int64).astype(float)
    elif x.dtype.kind not in "iuf":
        return np.arange(n, dtype=float), dim
    x = x.astype(float)
    if x.size == n + 1:
        x = (x[:-1] + x[1:]) / 2
    unit = "" if coord.unit is None else str(coord.unit)
    label = f"{dim} [{unit}]" if unit and unit != "dimensionless" else dim
    return x, label


def _extent(centres: np.ndarray) -> tuple[float, float]:
    if centres.size == 0:
        return (0.0, 1.0)
    if centres.size == 1:
        return (centres[0] - 0.5, centres[0] + 0.5)
    half = (centres[-1] - centres[0]) / (centres.size - 1) / 2
    return (float(centres[0] - half), float(centres[-1] + half))


def downsample(
    values: np.ndarray, max_side: int = MAX_IMAGE_SIDE
) -> tuple[np.ndarray, int]:
    """Average ``values`` in square blocks so no side exceeds ``max_side``."""
    factor = max(1, math.ceil(max(values.shape) / max_side)) if values.size else 1
    return block_mean(values, factor, factor), factor


# --- plotters ----------------------------------------------------------------


def image(frames: Sequence[Frame], params: BaseModel) -> ImageState | None:
    """The first source's 2-d frame, masked, log-ready and screen-sized."""
    if not frames:
        return None
    source, da = frames[0]
    if da.ndim != 2:
        raise ValueError(f"image needs 2 dims, {source} has {da.dims}")
    return _image_state(source, da, params)


def _image_state(
    source: str, da: sc.DataArray, params: Any, note: str = ""
) -> ImageState:
    log = getattr(params, "color_scale", "linear") == "log"
    ydim, xdim = da.dims
    values = _masked_values(da)
    if log:
        values = np.where(values > 0, values, np.nan)
    small, factor = downsample(values)
    xs, x_label = axis(da, xdim)
    ys, y_label = axis(da, ydim)
    low, high = _finite_range(small, positive=log)
    return ImageState(
        values=small.astype(np.float32),
        x_range=_extent(xs),
        y_range=_extent(ys),
        x_label=x_label,
        y_label=y_label,
        unit=_unit(da),
        low=low,
        high=high,
        log=log,
        time_ms=_time_ms(da),
        source=source,
        downsampled=factor,
        slice_note=note,
    )


def slicer(frames: Sequence[Frame], params: BaseModel) -> ImageState | None:
    """A 2-d slice of an N-d frame: one index along ``slice_dim``, the rest summed
    down to the last two dims."""
    if not frames:
        return None
    source, da = frames[0]
    dim = getattr(params, "slice_dim", "") or da.dims[0]
    if dim not in da.dims:
        raise ValueError(f"slicer: {source} has no dim {dim!r}; dims {da.dims}")
    index = min(getattr(params, "index", 0), da.sizes[dim] - 1)
    sliced = da[dim, index]
    while sliced.ndim > 2:
        sliced = sliced.sum(sliced.dims[0])
    note = f"{dim} = {index} of {da.sizes[dim]}"
    return _image_state(source, sliced, params, note)


def lines(frames: Sequence[Frame], params: BaseModel) -> LinesState | None:
    """One curve per source (and per ``roi`` entry of 2-d outputs)."""
    curves: list[Curve] = []
    x_label = y_label = ""
    time_ms = math.nan
    for source, da in frames:
        y_label = _unit(da)
        time_ms = _later(time_ms, _time_ms(da))
        curve_dims = [d for d in da.dims if d in CURVE_DIMS]
        if da.ndim == 2 and curve_dims:
            curve_dim = curve_dims[0]
            x, x_label = axis(da, next(d for d in da.dims if d != curve_dim))
            for i, index in enumerate(_curve_indices(da, curve_dim)):
                curves.append(
                    Curve(
                        f"{source} {curve_dim} {index}",
                        x,
                        _masked_values(da[curve_dim, i]),
                        roi=index,
                    )
                )
        elif da.ndim == 1:
            x, x_label = axis(da, da.dims[0])
            curves.append(Curve(source, x, _masked_values(da)))
        else:
            raise ValueError(f"lines needs 1 dim, {source} has {da.dims}")
    return _lines_state(curves, x_label, y_label, time_ms, params, datetime_x=False)


def _curve_indices(da: sc.DataArray, dim: str) -> list[int]:
    """The ``roi_index`` of each entry along ``dim`` (its coord), else positions."""
    coord = da.coords.get(dim)
    n = da.sizes[dim]
    if coord is not None and coord.dims == (dim,):
        values = np.asarray(coord.values)
        if values.dtype.kind in "iu" and values.size == n:
            return [int(v) for v in values]
    return list(range(n))


def _lines_state(
    curves, x_label, y_label, time_ms, params, *, datetime_x
) -> LinesState:
    log_y = getattr(params, "y_scale", "linear") == "log"
    xs = np.concatenate([c.x for c in curves]) if curves else np.array([])
    ys = np.concatenate([c.y for c in curves]) if curves else np.array([])
    return LinesState(
        curves=tuple(curves),
        x_label=x_label,
        y_label=y_label,
        x_range=_finite_range(xs),
        y_range=_finite_range(ys, positive=log_y),
        time_ms=time_ms,
        datetime_x=datetime_x,
        log_y=log_y,
    )


def timeseries(frames: Sequence[Frame], params: BaseModel) -> LinesState | None:
    """Values against time (ms since epoch) over the last ``window_s`` seconds."""
    window_ms = float(getattr(params, "window_s", 300.0)) * 1000
    curves: list[Curve] = []
    time_ms = math.nan
    unit = ""
    for source, da in frames:
        unit = _unit(da)
        if da.ndim == 0:
            t, v = np.array([_time_ms(da)]), np.array([float(da.value)])
        elif da.dims == (TIME_DIM,) and TIME_DIM in da.coords:
            t = _ns(np.asarray(da.coords[TIME_DIM].values)) / 1e6
            if t.size == da.sizes[TIME_DIM] + 1:
                t = t[1:]
            v = _masked_values(da)
        else:
            raise ValueError(
                f"timeseries needs 0-d or 'time' data, {source} has {da.dims}"
            )
        keep = np.isfinite(t)
        t, v = t[keep], v[keep]
        if t.size:
            time_ms = _later(time_ms, float(t.max()))
        curves.append(Curve(source, t, v))
    if math.isfinite(time_ms):
        curves = [
            Curve(
                c.label, c.x[c.x > time_ms - window_ms], c.y[c.x > time_ms - window_ms]
            )
            for c in curves
        ]
    return _lines_state(curves, "time", unit, time_ms, params, datetime_x=True)


def _scalar(da: sc.DataArray) -> float:
    if da.ndim == 0:
        return float(da.value)
    values = _masked_values(da)
    return (
        float(values[-1])
        if da.dims == (TIME_DIM,) and values.size
        else float(np.nansum(values))
    )


def bars(frames: Sequence[Frame], params: BaseModel) -> BarsState | None:
    """0-d: one bar per source; 1-d: one bar per bin of the first source."""
    if not frames:
        return None
    if all(da.ndim == 0 for _, da in frames):
        labels = tuple(s for s, _ in frames)
        values = np.array([float(da.value) for _, da in frames])
        unit = _unit(frames[0][1])
    else:
        _, da = frames[0]
        x, _ = axis(da, da.dims[0])
        labels = tuple(f"{v:.4g}" for v in x)
        values = _masked_values(da)
        unit = _unit(da)
    low, high = _finite_range(values)
    return BarsState(
        labels,
        values,
        unit,
        (min(0.0, low), high),
        _latest(_time_ms(d) for _, d in frames),
    )


def table(frames: Sequence[Frame], params: BaseModel) -> TableState | None:
    digits = getattr(params, "digits", 4)
    rows = []
    time_ms = math.nan
    for source, da in frames:
        t = _time_ms(da)
        time_ms = _later(time_ms, t)
        when = "" if math.isnan(t) else np.datetime64(int(t), "ms").astype(str)
        rows.append((source, f"{_scalar(da):.{digits}g}", _unit(da), when))
    return TableState(("source", "value", "unit", "time"), tuple(rows), time_ms)


def number(frames: Sequence[Frame], params: BaseModel) -> NumberState | None:
    """The sum over sources of a 0-d output, and each source's part."""
    if not frames:
        return None
    digits = getattr(params, "digits", 4)
    values = [(s, _scalar(da)) for s, da in frames]
    total = sum(v for _, v in values)
    return NumberState(
        text=f"{total:,.{digits}g}" if abs(total) < 1e15 else f"{total:.{digits}e}",
        unit=_unit(frames[0][1]),
        label=", ".join(s for s, _ in frames),
        time_ms=_latest(_time_ms(da) for _, da in frames),
        parts=tuple((s, f"{v:.{digits}g}") for s, v in values),
    )


COMPUTE: dict[str, Callable[[Sequence[Frame], Any], Any]] = {
    "image": image,
    "slicer": slicer,
    "lines": lines,
    "timeseries": timeseries,
    "bars": bars,
    "table": table,
    "number": number,
}
