"""The per-event kernel of detector views: one pass, two increments per event.

Hand-written with numba because no library does this in one pass. Per event we
count the pixel (for the image) and add to ``combo[roi_bits[pixel], bin]``, where
``roi_bits`` has bit k set for pixels inside ROI k. The spectrum of all pixels and
each ROI's spectrum are sums over rows of ``combo`` taken once per finalize, so the
hot loop has no data-dependent branches however many ROIs overlap. The image is
formed per finalize by spreading pixel counts over the pixel's noisy screen
replicas. Measured on the 2-core CI host: ~3.3e8 events/s/core in TOA mode with one
ROI (``benchmarks/essreduce_live_view.py``; essreduce's RollingDetectorView gives
~1.7e8 for the image alone and ~6e7 with a TOA spectrum of one ROI), where a
per-event pixel -> replica -> screen chain reached ~5e7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

_SHIFT = 40  # fixed-point bits for the TOA bin index; exact after the correction step
N_ROI_COMBOS = 256  # 8 ROIs: rectangles 0-3, polygons 4-7


@numba.njit(cache=True, nogil=True)
def _scatter_toa(
    pixel_id,
    toa,
    first,
    n_pixels,
    start_ns,
    width_ns,
    n_bins,
    mult,
    image_low,
    image_high,
    roi_bits,
    pixel_counts,
    combo,
):
    bad_pixels = 0
    out_of_range = 0
    for i in range(toa.shape[0]):
        p = pixel_id[i] - first
        if p < 0 or p >= n_pixels:
            bad_pixels += 1
            continue
        t = np.int64(toa[i])
        if t >= image_low and t < image_high:
            pixel_counts[p] += 1
        d = t - start_ns
        # Range check before the multiply: d * mult overflows int64 for d >= width
        # when the range is narrow (d < width keeps d * mult < n_bins << _SHIFT).
        if d < 0 or d >= width_ns:
            out_of_range += 1
            continue
        b = (d * mult) >> _SHIFT
        if (b + 1) * width_ns <= d * n_bins:  # exact floor(d * n / width)
            b += 1
        if b >= n_bins:
            out_of_range += 1
            continue
        combo[roi_bits[p], b] += 1
    return bad_pixels, out_of_range


@numba.njit(cache=True, nogil=True)
def _scatter_transformed(
    pixel_id,
    toa,
    first,
    n_pixels,
    scale,
    offset,
    start,
    inv_width,
    n_bins,
    image_low,
    image_high,
    roi_bits,
    pixel_counts,
    combo,
):
    bad_pixels = 0
    out_of_range = 0
    for i in range(toa.shape[0]):
        p = pixel_id[i] - first
        if p < 0 or p >= n_pixels:
            bad_pixels += 1
            continue
        t = np.float64(toa[i])
        if t >= image_low and t < image_high:
            pixel_counts[p] += 1
        x = (scale[p] * t + offset[p] - start) * inv_width
        if not (x >= 0.0 and x < n_bins):
            out_of_range += 1
            continue
        combo[roi_bits[p], np.int64(x)] += 1
    return bad_pixels, out_of_range


@dataclass(frozen=True)
class SpectralBinning:
    """Uniform bins of the spectral coordinate.

    Without a transform the coordinate is the time of arrival in integer ns; with
    one it is ``scale[pixel] * toa_ns + offset[pixel]`` in the target unit.
    """

    start: float
    stop: float
    n_bins: int
    scale: np.ndarray | None = None
    offset: np.ndarray | None = None


class PixelHistogrammer:
    """Window counts of one detector: per pixel, and per (ROI combination, bin)."""

    def __init__(
        self,
        n_pixels: int,
        first_pixel_id: int,
        binning: SpectralBinning,
        image_toa_range_ns: tuple[float, float] | None = None,
    ) -> None:
        self.n_pixels = n_pixels
        self.first_pixel_id = first_pixel_id
        self.binning = binning
        low, high = image_toa_range_ns or (-np.inf, np.inf)
        self._image_low_f, self._image_high_f = float(low), float(high)
        self._image_low_i = np.int64(max(low, -(2**62)))
        self._image_high_i = np.int64(min(high, 2**62))
        if binning.scale is None:
            self._start_ns = np.int64(round(binning.start))
            self._width_ns = np.int64(round(binning.stop - binning.start))
            self._mult = np.int64((binning.n_bins << _SHIFT) // int(self._width_ns))
        else:
            self._scale = np.ascontiguousarray(binning.scale, dtype=np.float64)
            offset = binning.offset
            self._offset = (
                np.zeros_like(self._scale)
                if offset is None
                else np.ascontiguousarray(offset, dtype=np.float64)
            )
            self._inv_width = binning.n_bins / (binning.stop - binning.start)
        self.roi_bits = np.zeros(n_pixels, dtype=np.uint8)
        self.pixel_counts = np.zeros(n_pixels, dtype=np.int64)
        self.combo = np.zeros((N_ROI_COMBOS, binning.n_bins), dtype=np.int64)
        self.bad_pixels = 0
        self.out_of_range = 0

    def add(self, pixel_id: np.ndarray, time_of_arrival: np.ndarray) -> None:
        # The kernels index pixel_id by the events of time_of_arrival: vectors of
        # different lengths would read past a buffer (adapters reject them too).
        if len(pixel_id) != len(time_of_arrival):
            raise ValueError(
                f"{len(pixel_id)} pixel ids but {len(time_of_arrival)} times of arrival"
            )
        b = self.binning
        if b.scale is None:
            bad, out = _scatter_toa(
                pixel_id,
                time_of_arrival,
                self.first_pixel_id,
                self.n_pixels,
                self._start_ns,
                self._width_ns,
                b.n_bins,
                self._mult,
                self._image_low_i,
                self._image_high_i,
                self.roi_bits,
                self.pixel_counts,
                self.combo,
            )
        else:
            bad, out = _scatter_transformed(
                pixel_id,
                time_of_arrival,
                self.first_pixel_id,
                self.n_pixels,
                self._scale,
                self._offset,
                b.start,
                self._inv_width,
                b.n_bins,
                self._image_low_f,
                self._image_high_f,
                self.roi_bits,
                self.pixel_counts,
                self.combo,
            )
        self.bad_pixels += bad
        self.out_of_range += out

    def clear(self) -> None:
        self.pixel_counts[...] = 0
        self.combo[...] = 0
