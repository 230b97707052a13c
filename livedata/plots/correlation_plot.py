"""Correlation histograms in the plot server (D14): stage 1 and axis choices.

The layer's own output is the primary (a 0-d result, read as its history); the
axes are other outputs named in the params (``AxisRef``: workflow, output,
source, whichever job publishes them) and read by the feed as extra inputs.
``compute`` turns them into the same states the line and image presenters
draw: one curve for a 1-D histogram, an image (x across, y up) for 2-D. The
histogramming itself is ``livedata.control.correlation``'s.

``axis_options`` offers the axes automatically: every 0-d output and time
series on offer, and the instrument's f144 logs (as the timeseries workflow
that publishes them), whatever is running now.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..control.correlation import (
    Bins,
    Normalisation,
    TimeSeries,
    axis_candidates,
    correlation_histogram,
)
from ..core.identifiers import ResultKey
from .compute import Curve, Frame, ImageState, LinesState, _image_state, _lines_state
from .specs import TIME_DIM, AxisRef

if TYPE_CHECKING:
    import scipp as sc

    from ..control.snapshots import ResultRow


def compute(
    frames: Sequence[Frame], params: Any, extra: Mapping[str, sc.DataArray | None]
) -> LinesState | ImageState | None:
    """The histogram of the primary against the axes; None until all have data."""
    if not frames:
        return None
    source, primary = frames[0]
    refs = params.axes()
    axes = [extra.get(role) for role in ("x", "y")[: len(refs)]]
    if primary is None or primary.ndim == 0 or any(a is None for a in axes):
        return None  # one frame so far, or an axis not published yet
    bins = [Bins(params.x_start, params.x_stop, params.x_bins)]
    if len(refs) == 2:
        bins.append(Bins(params.y_start, params.y_stop, params.y_bins))
    series = [
        (TimeSeries.from_dataarray(ref.source_name, _series(axis)), b)
        for ref, axis, b in zip(refs, axes, bins, strict=True)
    ]
    hist = correlation_histogram(
        TimeSeries.from_dataarray(source, primary),
        series,
        Normalisation(params.normalisation),
    )
    unplaced = int(hist.coords["unplaced"].value)
    time_ms = _last_time_ms(primary)
    note = f"{unplaced} frame(s) outside the bins" if unplaced else ""
    if len(refs) == 1:
        return _one_d(source, hist, params, time_ms)
    dims = hist.dims
    state = _image_state(
        source, hist.transpose([dims[1], dims[0]]).copy(), params, note
    )
    return _with_time(state, time_ms)


def _series(axis: sc.DataArray) -> sc.DataArray:
    """An axis as a time series: a history of a 0-d output is one already."""
    if axis.ndim == 0:
        return axis.broadcast(dims=[TIME_DIM], shape=[1])
    return axis


def _one_d(source: str, hist: sc.DataArray, params: Any, time_ms: float) -> LinesState:
    from .compute import _masked_values, axis

    dim = hist.dims[0]
    x, x_label = axis(hist, dim)
    curve = Curve(source, x, _masked_values(hist))
    unit = "" if hist.unit is None else str(hist.unit)
    return _lines_state([curve], x_label, unit, time_ms, params, datetime_x=False)


def _with_time(state: ImageState, time_ms: float) -> ImageState:
    from dataclasses import replace

    return replace(state, time_ms=time_ms)


def _last_time_ms(primary: sc.DataArray) -> float:
    import numpy as np

    coord = primary.coords.get(TIME_DIM)
    if coord is None or coord.ndim != 1 or coord.shape[0] == 0:
        return math.nan
    values = np.asarray(coord.values)
    if values.dtype.kind == "M":
        values = values.astype("datetime64[ns]").astype(np.int64)
    return float(values.astype(np.int64).max()) / 1e6


# -- axis choices ------------------------------------------------------------------


def log_axis(log: str, workflows: Mapping[str, Any]) -> AxisRef | None:
    """The timeseries output that publishes ``log`` (newest workflow version)."""
    found: list[tuple[int, AxisRef]] = []
    for wid, spec in workflows.items():
        if log not in spec.source_names:
            continue
        for output, template in spec.outputs.items():
            if tuple(template.dims) == (TIME_DIM,):
                found.append((spec.version, AxisRef(wid, output, log)))
    return max(found, key=lambda f: f[0])[1] if found else None


def axis_options(
    rows: Iterable[ResultRow],
    logs: Mapping[str, Any],
    workflows: Mapping[str, Any],
    primary: AxisRef | None = None,
) -> dict[str, str]:
    """Axis choices, label -> ``AxisRef`` text: the 0-d outputs and time series
    on offer and the instrument's logs (``logs``: name -> attributes with a
    ``unit``), the primary itself excluded, each once."""
    units = {name: getattr(a, "unit", None) for name, a in logs.items()}
    out: dict[str, str] = {}
    for candidate in axis_candidates(rows, units.items()):
        if candidate.key is not None:
            try:
                key = ResultKey.from_json(candidate.key)
            except ValueError:
                continue
            ref = AxisRef(str(key.workflow_id), key.output_name, key.job_id.source_name)
            label = f"{candidate.label} ({ref.workflow_id})"
        else:
            ref = log_axis(candidate.log or "", workflows)
            if ref is None:
                continue
            label = f"{candidate.label} (log, {ref.workflow_id})"
        if ref == primary or str(ref) in out.values():
            continue
        unit = candidate.unit
        out[f"{label} [{unit}]" if unit else label] = str(ref)
    return out


def default_bins(ref: AxisRef, logs: Mapping[str, Any]) -> tuple[float, float] | None:
    """A log's declared valid range (G8), a natural default for its bins."""
    attributes = logs.get(ref.source_name)
    low = getattr(attributes, "value_min", None)
    high = getattr(attributes, "value_max", None)
    if low is None or high is None or not low < high:
        return None
    return float(low), float(high)
