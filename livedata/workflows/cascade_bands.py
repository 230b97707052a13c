"""What a chopper cascade lets through at one distance, per time bin (NumPy only).

At a distance, the neutrons of a pulse that passed every chopper fill polygons
in (time of arrival, wavelength): essreduce's chopper cascade ``subframes``.
Folded into one frame (times modulo the frame period), a time bin's band is the
extent of wavelengths over the polygons' parts within the bin. Its extremes lie
at polygon vertices inside the bin or where polygon edges cross the bin's
edges, so both are computed for all bins at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _edge_crossings(polygon: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """Lowest and highest y where the polygon's edges cross each line ``x``."""
    x0, y0 = polygon[:, 0], polygon[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    lo, hi = np.minimum(x0, x1), np.maximum(x0, x1)
    inside = (x[:, None] >= lo) & (x[:, None] <= hi) & (hi > lo)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = y0 + (x[:, None] - x0) * (y1 - y0) / (x1 - x0)
    low = np.where(inside, y, np.inf).min(axis=1)
    high = np.where(inside, y, -np.inf).max(axis=1)
    return low, high


def bands(
    polygons: Sequence[np.ndarray], frame_period: float, num_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """(lowest, highest) y per time bin of ``[0, frame_period)``; NaN where no
    polygon reaches the bin.

    ``polygons``: (n, 2) arrays of (time, y) vertices in the polygon's order,
    times in the unit of ``frame_period``, not folded.
    """
    edges = np.linspace(0.0, frame_period, num_bins + 1)
    low = np.full(num_bins, np.inf)
    high = np.full(num_bins, -np.inf)
    for polygon in polygons:
        polygon = np.asarray(polygon, dtype=float)
        first = int(np.floor(polygon[:, 0].min() / frame_period))
        last = int(np.floor(polygon[:, 0].max() / frame_period))
        for k in range(first, last + 1):
            shifted = polygon - [k * frame_period, 0.0]
            at_edge_low, at_edge_high = _edge_crossings(shifted, edges)
            low = np.minimum(low, np.minimum(at_edge_low[:-1], at_edge_low[1:]))
            high = np.maximum(high, np.maximum(at_edge_high[:-1], at_edge_high[1:]))
            t, y = shifted[:, 0], shifted[:, 1]
            sel = (t >= 0.0) & (t < frame_period)
            index = np.minimum(
                np.searchsorted(edges, t[sel], side="right") - 1, num_bins - 1
            )
            np.minimum.at(low, index, y[sel])
            np.maximum.at(high, index, y[sel])
    empty = ~np.isfinite(low)
    low[empty] = np.nan
    high[empty] = np.nan
    return low, high
