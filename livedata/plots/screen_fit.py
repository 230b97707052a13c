"""Fit an image to the pixels a session's plot actually has.

A 512x512 detector image in a grid cell drawn 653x140 pixels large shows at
most 140 rows: sending all 512 costs the browser 3-4x the decoding, colour
mapping and painting for nothing it can show (measured: the browser's share
of publish-to-paint latency fell from 320 ms to 155 ms with 4x fewer pixels).
So each session's image presenter averages blocks of bins down to its own
plot's size, over the part of the image in view: zoomed in far enough that a
bin covers a pixel, it gets every bin. Averages (not sums) keep the colour
scale and the hover values in the data's own units.

Block averages are computed once per frame and factor pair and shared by every
session asking for the same (the cache lives on the frame's state).
"""

from __future__ import annotations

import math
import warnings

import numpy as np


def screen_factors(
    shape: tuple[int, int],
    extent: tuple[tuple[float, float], tuple[float, float]],
    view: tuple[tuple[float, float], tuple[float, float]],
    pixels: tuple[int | None, int | None],
) -> tuple[int, int]:
    """Rows and columns of bins per block so no block is smaller than a pixel.

    ``extent`` and ``view`` are ``((x0, x1), (y0, y1))`` in data units: the
    image's and the visible window's; ``pixels`` the plot's inner (width,
    height). Unknown sizes (before the browser has laid the plot out) give 1.
    """
    rows, cols = shape
    (ex0, ex1), (ey0, ey1) = extent
    (vx0, vx1), (vy0, vy1) = view
    width, height = pixels
    return (
        _factor(rows, ey1 - ey0, vy1 - vy0, height),
        _factor(cols, ex1 - ex0, vx1 - vx0, width),
    )


def _factor(bins: int, extent: float, view: float, pixels: int | None) -> int:
    if not pixels or pixels <= 0 or bins <= 1:
        return 1
    if not (math.isfinite(extent) and math.isfinite(view)) or extent == 0:
        return 1
    visible = bins * min(1.0, abs(view / extent))
    return max(1, math.floor(visible / pixels))


def block_mean(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """The NaN-aware mean of ``rows`` x ``cols`` blocks (edges padded with NaN).

    An all-NaN block stays NaN (transparent), so masked regions do not turn
    into zeros when averaged down.
    """
    if rows == 1 and cols == 1:
        return values
    n_rows, n_cols = values.shape
    out_rows, out_cols = math.ceil(n_rows / rows), math.ceil(n_cols / cols)
    padded = np.full((out_rows * rows, out_cols * cols), np.nan, dtype=np.float32)
    padded[:n_rows, :n_cols] = values
    blocks = padded.reshape(out_rows, rows, out_cols, cols)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks
        return np.nanmean(blocks, axis=(1, 3)).astype(np.float32, copy=False)


def fitted(
    values: np.ndarray, factors: tuple[int, int], cache: dict | None
) -> np.ndarray:
    """``block_mean`` of ``values``, shared through ``cache`` (one per frame)."""
    if factors == (1, 1):
        return values
    if cache is None:
        return block_mean(values, *factors)
    if factors not in cache:
        cache[factors] = block_mean(values, *factors)
    return cache[factors]
