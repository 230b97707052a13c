"""BIFROST's spectrum view: counts per pixel group and spectral bin (heavy).

The facility's ``bifrost/unified_detector_view`` publishes, beside the image, a
``spectrum_view``: each tube's 100 pixels in ``pixels_per_tube`` groups, one
row per group (arc, tube, channel, group), histogrammed in the view's spectral
coordinate. Time of arrival is binned as it came; in wavelength mode each event
is moved into its pixel's frame and mapped per pixel, as the image's view does
(``conversions.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipp as sc

from livedata.core.events import DetectorEvents
from livedata.core.timestamp import PULSE_PERIOD, Timestamp

from . import banks

N_TUBES = banks.N_ARC * banks.N_TUBE * banks.N_CHANNEL


class SpectrumView:
    """Counts per (pixel group, bin) since start; the latest window folded lazily.

    ``bounds`` are the edges' start and stop in the kernel's unit (ns for time
    of arrival, Å for wavelength); ``conversion`` is ``(shift_ns, scale,
    offset)`` per pixel for the converted modes, ``None`` for time of arrival.
    """

    def __init__(
        self,
        *,
        source_name: str,
        pixels_per_tube: int,
        edges: sc.Variable,
        bounds: tuple[float, float],
        conversion: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self._source = source_name
        self._group_size = banks.N_PIXEL // pixels_per_tube
        self._per_tube = pixels_per_tube
        self._edges = edges
        self._start, self._stop = bounds
        self._n_bins = edges.sizes[edges.dim] - 1
        self._conversion = conversion
        self._n_groups = N_TUBES * pixels_per_tube
        self._counts = np.zeros(self._n_groups * self._n_bins)

    @property
    def shape(self) -> tuple[int, int]:
        return self._n_groups, self._n_bins

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        chunks = data.get(self._source, ())
        if isinstance(chunks, DetectorEvents):
            chunks = (chunks,)
        for chunk in chunks:
            self._add(np.asarray(chunk.pixel_id), np.asarray(chunk.time_of_arrival))

    def _add(self, pixel_id: np.ndarray, toa: np.ndarray) -> None:
        index = pixel_id.astype(np.int64) - banks.UNIFIED.first_detector_number
        inside = (index >= 0) & (index < banks.UNIFIED.n_pixels)
        index, x = index[inside], toa[inside].astype(np.float64)
        if self._conversion is not None:
            shift, scale, offset = self._conversion
            x = scale[index] * np.mod(x - shift[index], PULSE_PERIOD.ns) + offset[index]
        width = (self._stop - self._start) / self._n_bins
        bins = np.floor((x - self._start) / width).astype(np.int64)
        ok = (bins >= 0) & (bins < self._n_bins)
        index, bins = index[ok], bins[ok]
        tube, pixel = np.divmod(index, banks.N_PIXEL)
        group = tube * self._per_tube + pixel // self._group_size
        self._counts += np.bincount(
            group * self._n_bins + bins, minlength=self._counts.size
        )

    def finalize(self) -> dict[str, sc.DataArray]:
        values = self._counts.reshape(self.shape).copy()
        dims = ["spectrum", self._edges.dim]
        return {
            "spectrum_view": sc.DataArray(
                sc.array(dims=dims, values=values, variances=values, unit="counts"),
                coords={
                    "spectrum": sc.arange("spectrum", self._n_groups, unit=None),
                    self._edges.dim: self._edges,
                },
            )
        }

    def clear(self) -> None:
        self._counts[...] = 0
