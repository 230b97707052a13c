"""Results as the client keeps them (D5, D7), readable from another thread (D3).

The pump thread calls :meth:`DataService.add` for every result message; a UI
thread calls :meth:`get` with an extractor, or :meth:`result_rows` for a cheap
summary table. Readers poll ``version`` / ``version_of(key)`` instead of
registering callbacks, so a slow UI never slows the pump and no callback ever
runs on the wrong thread. scipp is imported on the first ``add``, not at import
(the CLI imports this module on paths that never see a result).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.identifiers import ResultKey
from ..core.message import Message
from ..core.metrics import Counters
from ..core.unit_text import readable_unit
from .extractors import Extractor, LatestValue
from .snapshots import ResultRow

if TYPE_CHECKING:
    import scipp as sc

    from .buffers import ResultBuffer

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_CAP_BYTES = 32 * 1024 * 1024
HISTORY_LENGTH = 60  # sparkline points per result row
CURVE_POINTS = 200  # at most this many points of a 1-d result travel in its summary


@dataclass
class _Entry:
    """One result stream: its key, buffer, version and summary history."""

    key: ResultKey
    buffer: ResultBuffer
    version: int = 0
    time_ns: int = 0  # message time of the latest frame (a history's fallback)
    updated_s: float = 0.0
    received_s: float = 0.0  # wall clock of the latest frame's arrival (latency)
    dims: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()
    unit: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    history: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY_LENGTH))


def _finite_or_none(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def summarise(da: sc.DataArray) -> tuple[dict[str, Any], float | None]:
    """A small summary of one frame and the number its sparkline plots.

    0-d: its value. Anything larger: its shape, max and one number ignoring NaN
    (masked bins travel as NaN): the ``sum`` of counts (counts add up), the
    ``last`` value of a time series (a motor's position is where it is now, not
    the sum of where it was), else the ``mean``. 1-d also gives its
    :func:`curve`. The sparkline point is that number.
    """
    values = np.asarray(da.values)
    shapes = roi_shapes(da)
    if shapes is not None:  # a ROI readback: its shapes, not its indices
        return {"shape": tuple(da.shape), "rois": shapes}, float(len(shapes))
    if values.dtype.kind not in "iufb":
        return {"shape": tuple(da.shape)}, None
    if da.ndim == 0:
        value = values.item()
        return {"value": value}, _finite_or_none(value)
    if values.size == 0:
        return {"shape": tuple(da.shape), "sum": 0.0, "max": None}, 0.0
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size == 0:
        name, point, peak = _headline(da), None, None
    else:
        name, peak = _headline(da), _finite_or_none(finite.max())
        if name == "sum":
            point = _finite_or_none(finite.sum())
        elif name == "last":
            point = _finite_or_none(finite[-1])
        else:
            point = _finite_or_none(finite.mean())
    summary = {"shape": tuple(da.shape), name: point, "max": peak}
    if da.ndim == 1:
        summary.update(curve(da))
    elif da.ndim == 2 and da.dims[0] in CURVE_DIMS:
        summary.update(curves(da))
    return summary, point


# Dims whose entries are separate curves (one ROI spectrum per ``roi``).
CURVE_DIMS = frozenset({"roi"})
ROI_SHAPE_DIMS = {"bounds": "roi_rectangle", "vertex": "roi_polygon"}


def curves(da: sc.DataArray, points: int = CURVE_POINTS) -> dict[str, Any]:
    """One :func:`curve` per entry of the first dim (ROI spectra), labelled by
    that dim's coordinate (``roi`` 0-7), with the x of the first."""
    dim = da.dims[0]
    labels = (
        [str(v) for v in np.asarray(da.coords[dim].values).tolist()]
        if dim in da.coords
        else [str(i) for i in range(da.sizes[dim])]
    )
    out: dict[str, Any] = {"curves": {}, "curve_dim": dim}
    for i, label in enumerate(labels):
        one = curve(da[dim, i], points)
        out["curves"][label] = one.pop("values")
        for name, value in one.items():
            out.setdefault(name, value)
    return out


def roi_shapes(da: sc.DataArray) -> list[str] | None:
    """A readback ROI output as lines (``0 rectangle x 0..0.5 y -0.5..0.5 m``);
    None when ``da`` is not one."""
    if da.ndim != 1 or da.dim not in ROI_SHAPE_DIMS:
        return None
    if not {"roi_index", "x", "y"} <= set(da.coords):
        return None
    from .roi import RoiError, RoiRequest

    try:
        if da.dim == "bounds":
            request = RoiRequest.from_dataarrays(da, None)
        else:
            request = RoiRequest.from_dataarrays(None, da)
    except RoiError as error:
        return [f"unreadable: {error}"]
    unit = request.unit or "pixels"
    lines = []
    for shape in request.describe():
        x, y = shape["x"], shape["y"]
        if shape["kind"] == "rectangle":
            text = f"x {x[0]:g}..{x[1]:g}  y {y[0]:g}..{y[1]:g}"
        else:
            text = f"{len(x)} vertices"
        lines.append(f"{shape['roi_index']} {shape['kind']} {text} {unit}")
    return lines


def _headline(da: sc.DataArray) -> str:
    """Which one number stands for a frame (see :func:`summarise`)."""
    if da.unit is not None and str(da.unit) == "counts":
        return "sum"
    if da.ndim == 1 and da.dim == "time":
        return "last"
    return "mean"


def curve(da: sc.DataArray, points: int = CURVE_POINTS) -> dict[str, Any]:
    """The latest 1-d frame as at most ``points`` finite values, for terminal plots.

    Neighbouring bins are merged evenly: summed for counts (so the shape of a
    histogram survives), averaged for anything else; NaN (masked) bins are
    ignored and merged bins with no finite value are left out. ``x`` holds the
    centres of the merged bins when the frame has a numeric coordinate (or when
    points were left out, so the plot keeps its spacing); ``x_label`` is the dim.
    """
    dim = da.dim
    values = np.asarray(da.values, dtype=float)
    n = values.size
    starts = np.arange(min(n, points)) * n // min(n, points)
    finite = np.isfinite(values)
    sums = np.add.reduceat(np.where(finite, values, 0.0), starts)
    counted = np.add.reduceat(finite.astype(int), starts)
    is_counts = da.unit is not None and str(da.unit) == "counts"
    with np.errstate(all="ignore"):
        merged = sums if is_counts else sums / counted
    keep = counted > 0
    out: dict[str, Any] = {"values": merged[keep].tolist(), "x_label": dim}
    centres = _merged_centres(da, dim, starts)
    if centres is not None:
        unit = da.coords[dim].unit
        out["x_unit"] = "" if unit is None else readable_unit(str(unit))
    elif not keep.all():
        ends = np.append(starts[1:], n)
        centres = (starts + ends - 1) / 2
    if centres is not None:
        out["x"] = centres[keep].tolist()
    return out


def _merged_centres(da: sc.DataArray, dim: str, starts: np.ndarray) -> Any:
    """Centres of the merged bins from a numeric coordinate; None without one."""
    coord = da.coords.get(dim)
    if coord is None or coord.ndim != 1:
        return None
    x = np.asarray(coord.values)
    if x.dtype.kind not in "iuf":
        return None
    x = x.astype(float)
    n = da.sizes[dim]
    ends = np.append(starts[1:], n)
    if x.size == n + 1:  # bin edges: a merged bin spans its first to last edge
        return (x[starts] + x[ends]) / 2
    if x.size == n:
        return np.add.reduceat(x, starts) / (ends - starts)
    return None


class DataService:
    """Buffers per result key with a version per key and a global version.

    ``memory_cap_bytes`` bounds the history of *each* result stream. Images and
    whole-history outputs keep only their latest value until a reader needs
    more: ``get`` with an extractor that needs history (a window aggregate), or
    ``keep_history`` ahead of the data, switches the stream to a history (from
    its latest frame on, within the same cap). Malformed messages (a stream
    name that is not a result key, a value that is not scipp) are counted in
    ``counters`` and skipped, never raised.
    """

    def __init__(
        self,
        memory_cap_bytes: int = DEFAULT_MEMORY_CAP_BYTES,
        *,
        counters: Counters | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if memory_cap_bytes <= 0:
            raise ValueError("memory_cap_bytes must be positive")
        self._cap = memory_cap_bytes
        self.counters = counters if counters is not None else Counters()
        self._clock = clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._entries: dict[str, _Entry] = {}
        self._history_wanted: set[str] = set()
        self._version = 0

    # --- writing (pump thread) ----------------------------------------------

    def add(self, message: Message[Any]) -> bool:
        """Buffer one result message; False (and counted) when it is not one."""
        import scipp as sc

        from .buffers import buffer_for, wants_history

        try:
            key = ResultKey.from_json(message.stream.name)
        except ValueError:
            self.counters.increment("results_bad_key")
            logger.warning("result with a stream name that is not a result key")
            return False
        value = message.value
        if isinstance(value, sc.Variable):
            value = sc.DataArray(value)
        if not isinstance(value, sc.DataArray):
            self.counters.increment("results_bad_value")
            logger.warning("result %s is a %s", key.output_name, type(value).__name__)
            return False
        summary, point = summarise(value)
        name = key.to_json()
        with self._lock:
            entry = self._entries.get(name)
            history = name in self._history_wanted
            if entry is None or entry.buffer.is_time_series != wants_history(
                value, history
            ):
                entry = _Entry(key, buffer_for(value, self._cap, history=history))
                self._entries[name] = entry
            try:
                entry.buffer.append(value, message.timestamp.ns)
            except Exception as err:  # a frame numpy cannot store: skip, count
                self.counters.increment("results_buffer_errors")
                logger.warning("cannot buffer result %s: %s", key.output_name, err)
                return False
            entry.time_ns = message.timestamp.ns
            entry.dims = tuple(value.dims)
            entry.shape = tuple(value.shape)
            entry.unit = None if value.unit is None else readable_unit(str(value.unit))
            entry.summary = summary
            if point is not None:
                entry.history.append(point)
            entry.updated_s = self._clock()
            entry.received_s = time.time()
            self._version += 1
            entry.version = self._version
            self._changed.notify_all()
        self.counters.increment("results_received")
        return True

    def clear(self) -> None:
        """Forget every result (e.g. after switching instrument)."""
        with self._lock:
            self._entries.clear()
            self._version += 1
            self._changed.notify_all()

    # --- reading (any thread) -----------------------------------------------

    @property
    def version(self) -> int:
        """Grows on every change of any result."""
        with self._lock:
            return self._version

    def wait_for_change(self, version: int, timeout: float) -> int:
        """The version once it is no longer ``version``, or after ``timeout`` s.

        For a reader on its own thread (the plot server's updater) that wants a
        result as soon as it is stored, without polling and without the pump
        ever calling into it.
        """
        with self._changed:
            self._changed.wait_for(lambda: self._version != version, timeout)
            return self._version

    def version_of(self, key: ResultKey | str) -> int:
        """The global version at the last update of ``key``; 0 if never seen."""
        with self._lock:
            entry = self._entries.get(_name(key))
            return 0 if entry is None else entry.version

    def received_at(self, key: ResultKey | str) -> float | None:
        """Wall clock (s) when the latest frame of ``key`` was stored; None if
        never (what publish-to-paint measurements split at)."""
        with self._lock:
            entry = self._entries.get(_name(key))
            return None if entry is None else entry.received_s

    def keys(self) -> tuple[str, ...]:
        """Result keys (JSON) in the order they first arrived."""
        with self._lock:
            return tuple(self._entries)

    def get(
        self, key: ResultKey | str, extractor: Extractor | None = None
    ) -> sc.DataArray | None:
        """What ``extractor`` (default: latest value) makes of ``key``; a copy.

        An extractor that needs history makes the stream keep one from now on
        (the first call sees the frames kept so far: for an image, its latest).
        """
        extractor = extractor if extractor is not None else LatestValue()
        name = _name(key)
        with self._lock:
            if getattr(extractor, "needs_history", False):
                self._want_history(name)
            entry = self._entries.get(name)
            if entry is None:
                return None
            return extractor.extract(entry.buffer)

    def keep_history(self, key: ResultKey | str) -> None:
        """Keep a history of ``key`` whatever its frames (before they arrive)."""
        with self._lock:
            self._want_history(_name(key))

    def _want_history(self, name: str) -> None:
        """Switch a latest-only stream to a history seeded with its latest frame."""
        from .buffers import TemporalBuffer, can_stack

        self._history_wanted.add(name)
        entry = self._entries.get(name)
        if entry is None or entry.buffer.is_time_series:
            return
        latest = entry.buffer.latest()
        if latest is None or not can_stack(latest):
            return  # e.g. an output that is its own history along ``time``
        history = TemporalBuffer(self._cap)
        history.append(latest, entry.time_ns)
        entry.buffer = history
        self.counters.increment("results_histories_started")

    def memory_bytes(self) -> int:
        with self._lock:
            return sum(e.buffer.nbytes for e in self._entries.values())

    def dropped_frames(self) -> int:
        """Frames overwritten because a history reached its memory cap."""
        with self._lock:
            return sum(getattr(e.buffer, "dropped", 0) for e in self._entries.values())

    def result_rows(self) -> tuple[ResultRow, ...]:
        """One cheap, immutable summary per result key, in arrival order."""
        with self._lock:
            return tuple(
                ResultRow(
                    key=name,
                    workflow_id=str(entry.key.workflow_id),
                    job_id=str(entry.key.job_id),
                    output_name=entry.key.output_name,
                    dims=entry.dims,
                    shape=entry.shape,
                    unit=entry.unit,
                    updated_s=entry.updated_s,
                    summary=dict(entry.summary),
                    history=tuple(entry.history),
                )
                for name, entry in self._entries.items()
            )


def _name(key: ResultKey | str) -> str:
    """Canonical JSON of a key, so equal keys match however they were spelled."""
    if isinstance(key, ResultKey):
        return key.to_json()
    try:
        return ResultKey.from_json(key).to_json()
    except ValueError:
        return key
