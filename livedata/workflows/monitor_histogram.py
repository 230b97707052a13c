"""Monitor histograms from events (bincount) or from da00 histograms (rebin)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipp as sc

from ..core.events import MonitorEvents
from ..core.timestamp import Timestamp
from .edges import CoordinateMode
from .monitor_histogram_spec import MonitorHistogramParams
from .neutron import H_OVER_MN


class MonitorHistogramWorkflow:
    """Cumulative and window spectra of one monitor; window folded lazily.

    Bins are computed in a canonical unit (ns of time of arrival, or Å) and the
    outputs carry the edges in the unit the params gave. Events (and histogram
    counts) outside the bins are reported through ``take_dropped_events``.
    """

    def __init__(
        self, *, source_name: str, params: MonitorHistogramParams, distance_m: float
    ) -> None:
        self._source = source_name
        self._mode = params.coordinate_mode
        dim = self._mode.value
        if self._mode is CoordinateMode.TIME_OF_ARRIVAL:
            e = params.toa_edges
            self._canonical_unit = "ns"
            self._scale = 1.0  # the coordinate is the toa in ns
        elif self._mode is CoordinateMode.WAVELENGTH:
            e = params.wavelength_edges
            self._canonical_unit = "angstrom"
            # lambda [Å] = h/m_n * t / L, t = toa (t0 at pulse start, no chopper)
            self._scale = H_OVER_MN * 1e-9 * 1e10 / distance_m
        else:
            raise ValueError(f"coordinate mode {self._mode.value} is not available")
        self._edges = sc.linspace(dim, e.start, e.stop, e.num_bins + 1, unit=e.unit)
        self._distance_m = distance_m
        self._start, self._stop = e.bounds_in(self._canonical_unit)
        self._n = e.num_bins
        self._window = np.zeros(self._n)
        self._cumulative = np.zeros(self._n)
        self._published = False
        self._dropped = 0

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        if self._published:
            self._cumulative += self._window
            self._window[...] = 0
            self._published = False
        value = data.get(self._source)
        if value is None:
            return
        if isinstance(value, sc.DataArray):
            self._window += self._rebin(value)
            return
        chunks = (value,) if isinstance(value, MonitorEvents) else value
        for chunk in chunks:
            coord = np.asarray(chunk.time_of_arrival, dtype=np.float64) * self._scale
            index = np.floor(
                (coord - self._start) * (self._n / (self._stop - self._start))
            )
            inside = (index >= 0) & (index < self._n)
            self._dropped += int(inside.size - np.count_nonzero(inside))
            self._window += np.bincount(
                index[inside].astype(np.intp), minlength=self._n
            )

    def take_dropped_events(self) -> dict[str, int]:
        """Events (or histogram counts) outside the bins since the last call."""
        dropped, self._dropped = self._dropped, 0
        return {"out_of_range": dropped}

    def _rebin(self, histogram: sc.DataArray) -> np.ndarray:
        dim = CoordinateMode.TIME_OF_ARRIVAL.value
        if dim not in histogram.coords:
            raise ValueError(f"monitor histogram has no {dim!r} coordinate")
        da = histogram.copy(deep=False)
        if da.dim != dim:
            da = da.rename_dims({da.dim: dim})
        edges = da.coords[dim].to(unit="ns", dtype="float64")
        coord = sc.array(
            dims=[dim], values=edges.values * self._scale, unit=self._canonical_unit
        ).to(unit=self._edges.unit)
        target = self._edges.rename_dims({self._edges.dim: dim})
        data = da.data.to(dtype="float64")
        da = sc.DataArray(
            sc.array(dims=[dim], values=data.values, unit="counts"),
            coords={dim: coord},
        )
        rebinned = da.rebin({dim: target}).values
        lost = float(data.values.sum() - rebinned.sum())
        if lost >= 0.5:  # counts of bins outside the target range
            self._dropped += round(lost)
        return rebinned

    def finalize(self) -> dict[str, sc.DataArray]:
        self._published = True
        cumulative = self._cumulative + self._window
        return {
            "cumulative": self._spectrum(cumulative),
            "current": self._spectrum(self._window.copy()),
            "counts_total": _scalar(self._window.sum()),
            "counts_total_cumulative": _scalar(cumulative.sum()),
        }

    def clear(self) -> None:
        self._window[...] = 0
        self._cumulative[...] = 0
        self._published = False

    def _spectrum(self, values: np.ndarray) -> sc.DataArray:
        dim = self._edges.dim
        return sc.DataArray(
            sc.array(dims=[dim], values=values, variances=values.copy(), unit="counts"),
            coords={dim: self._edges},
        )


def _scalar(total: float) -> sc.DataArray:
    return sc.DataArray(sc.scalar(float(total), variance=float(total), unit="counts"))
