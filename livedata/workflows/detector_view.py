"""Detector view workflow: images, spectra and ROI spectra of one detector (E1, E2).

Events are histogrammed per pixel by the numba kernel (histogram_kernel) into a
window; each finalize folds nothing and builds scipp outputs once, and the next
accumulate folds the published window into the cumulative state. So ``finalize``
can be called any number of times without changing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipp as sc

from ..core.events import DetectorEvents
from ..core.timestamp import Timestamp
from .detector_view_spec import DetectorViewParams
from .edges import CoordinateMode
from .histogram_kernel import PixelHistogrammer, SpectralBinning
from .neutron import H_OVER_MN
from .projection import ScreenProjection
from .roi import (
    PolygonROI,
    RectangleROI,
    polygons_from_dataarray,
    polygons_to_dataarray,
    rectangles_from_dataarray,
    rectangles_to_dataarray,
    roi_bits,
)


def wavelength_transform(l_total_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (scale, offset) so that wavelength [Å] = scale * toa [ns] + offset.

    Assumes the neutron left the source at the start of the pulse (t0 = 0) and no
    chopper shapes the pulse: right for the dummy instrument and a first look on a
    real one; instruments with choppers provide their own transform.
    """
    scale = H_OVER_MN * 1e-9 * 1e10 / np.asarray(l_total_m, dtype=float)
    return scale, np.zeros_like(scale)


def time_of_flight_transform(
    wavelength: tuple[np.ndarray, np.ndarray], flight_path_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (scale, offset) so that time of flight [ns] = scale * toa [ns] + offset.

    Follows from the wavelength transform: tof = wavelength * L * m_n / h, so an
    instrument's chopper-aware wavelength transform gives its time of flight too.
    """
    ns_per_angstrom_metre = 1e-10 / H_OVER_MN * 1e9
    factor = ns_per_angstrom_metre * np.asarray(flight_path_m, dtype=float)
    scale, offset = wavelength
    return scale * factor, offset * factor


class DetectorViewWorkflow:
    """One job's detector view; input key = source name, plus ROI context keys."""

    def __init__(
        self,
        *,
        source_name: str,
        projection: ScreenProjection,
        params: DetectorViewParams,
        wavelength: tuple[np.ndarray, np.ndarray] | None = None,
        flight_path_m: np.ndarray | None = None,
        screen_unit: str | None = "m",
    ) -> None:
        self._source = source_name
        self._projection = projection
        self._unit = screen_unit
        self._mode = params.coordinate_mode
        binning, self._edges = self._binning(params, wavelength, flight_path_m)
        toa_range = None
        if params.toa_range.enabled:
            toa_range = (params.toa_range.low * 1e6, params.toa_range.high * 1e6)
        self._window = PixelHistogrammer(
            projection.n_pixels, projection.first_pixel_id, binning, toa_range
        )
        self._cumulative_pixels = np.zeros(projection.n_pixels, dtype=np.int64)
        self._cumulative_combo = np.zeros_like(self._window.combo)
        self._published = False
        self._rectangles: list[RectangleROI] = []
        self._polygons: list[PolygonROI] = []
        self._reported_drops: dict[str, int] = {}

    def _binning(
        self, params, wavelength, flight_path_m
    ) -> tuple[SpectralBinning, sc.Variable]:
        """The kernel's binning (ns or Å) and the output's edges (in the params' unit)."""
        dim = self._mode.value
        if self._mode is CoordinateMode.TIME_OF_ARRIVAL:
            e = params.toa_edges
            start, stop = e.bounds_in("ns")
            return SpectralBinning(start, stop, e.num_bins), _edges(dim, e)
        if self._mode is CoordinateMode.WAVELENGTH:
            if wavelength is None:
                raise ValueError("wavelength mode needs the instrument's flight paths")
            e = params.wavelength_edges
            start, stop = e.bounds_in("angstrom")
            scale, offset = wavelength
            binning = SpectralBinning(start, stop, e.num_bins, scale, offset)
            return binning, _edges(dim, e)
        if self._mode is CoordinateMode.TIME_OF_FLIGHT:
            if wavelength is None or flight_path_m is None:
                raise ValueError(
                    "time-of-flight mode needs the instrument's flight paths"
                )
            scale, offset = time_of_flight_transform(wavelength, flight_path_m)
            e = params.tof_edges
            start, stop = e.bounds_in("ns")
            binning = SpectralBinning(start, stop, e.num_bins, scale, offset)
            return binning, _edges(dim, e)
        raise ValueError(f"coordinate mode {self._mode.value} is not available here")

    # Workflow protocol -------------------------------------------------------

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        self._fold_published_window()
        roi_error: ValueError | None = None
        if "roi_rectangle" in data or "roi_polygon" in data:
            try:
                self._set_rois(data.get("roi_rectangle"), data.get("roi_polygon"))
            except ValueError as error:  # keep the batch's events, report after
                roi_error = error
        chunks = data.get(self._source, ())
        if isinstance(chunks, DetectorEvents):
            chunks = (chunks,)
        for chunk in chunks:
            self._window.add(chunk.pixel_id, chunk.time_of_arrival)
        if roi_error is not None:
            raise roi_error

    def finalize(self) -> dict[str, sc.DataArray]:
        window = self._window
        cumulative_pixels = self._cumulative_pixels + window.pixel_counts
        cumulative_combo = self._cumulative_combo + window.combo
        self._published = True
        indices = [r.index for r in self._rectangles] + [
            p.index for p in self._polygons
        ]
        out = {
            "cumulative": self._image(cumulative_pixels),
            "current": self._image(window.pixel_counts),
            "counts_total": _counts(window.pixel_counts.sum()),
            "counts_total_cumulative": _counts(cumulative_pixels.sum()),
            "spectrum_current": self._spectrum(window.combo.sum(axis=0)),
            "roi_spectra": self._roi_spectra(cumulative_combo, indices),
            "roi_spectra_current": self._roi_spectra(window.combo, indices),
            "roi_rectangle": rectangles_to_dataarray(self._rectangles, self._unit),
            "roi_polygon": polygons_to_dataarray(self._polygons, self._unit),
        }
        return out

    def clear(self) -> None:
        self._window.clear()
        self._cumulative_pixels[...] = 0
        self._cumulative_combo[...] = 0
        self._published = False

    # ------------------------------------------------------------------------

    @property
    def dropped_events(self) -> dict[str, int]:
        """Events not used since creation: ``bad_pixel_id`` (in nothing) and
        ``out_of_range`` (outside the spectral bins; still in the image)."""
        return {
            "bad_pixel_id": self._window.bad_pixels,
            "out_of_range": self._window.out_of_range,
        }

    def take_dropped_events(self) -> dict[str, int]:
        """``dropped_events`` since the last call (for the service counters)."""
        now = self.dropped_events
        delta = {k: v - self._reported_drops.get(k, 0) for k, v in now.items()}
        self._reported_drops = now
        return delta

    def _fold_published_window(self) -> None:
        if self._published:
            self._cumulative_pixels += self._window.pixel_counts
            self._cumulative_combo += self._window.combo
            self._window.clear()
            self._published = False

    def _set_rois(self, rectangles: Any, polygons: Any) -> None:
        """Replace the ROIs; an invalid request raises and changes nothing."""
        new_rectangles, new_polygons = self._rectangles, self._polygons
        if rectangles is not None:
            new_rectangles = rectangles_from_dataarray(self._to_screen(rectangles))
        if polygons is not None:
            new_polygons = polygons_from_dataarray(self._to_screen(polygons))
        self._rectangles, self._polygons = new_rectangles, new_polygons
        dims = self._projection.dims
        coords = self._projection.pixel_coords
        self._window.roi_bits[...] = roi_bits(
            coords[dims[1]], coords[dims[0]], self._rectangles, self._polygons
        )
        # ROI spectra restart from the moment the ROIs change; image is kept.
        self._cumulative_combo[0] += self._cumulative_combo[1:].sum(axis=0)
        self._cumulative_combo[1:] = 0
        self._window.combo[0] += self._window.combo[1:].sum(axis=0)
        self._window.combo[1:] = 0

    def _to_screen(self, da: sc.DataArray) -> sc.DataArray:
        """The ROI in the screen's unit; ValueError for anything malformed."""
        if not isinstance(da, sc.DataArray):
            raise ValueError(f"ROI must be a DataArray, got {type(da).__name__}")
        if self._unit is None or da.data.values.size == 0:
            return da
        if not {"x", "y"} <= set(da.coords):
            raise ValueError("ROI lacks the coords x and y")
        da = da.copy(deep=False)
        for name in ("x", "y"):
            try:
                da.coords[name] = da.coords[name].to(unit=self._unit, dtype="float64")
            except sc.UnitError as error:
                raise ValueError(f"ROI coord {name}: {error}") from None
        return da

    def _image(self, pixel_counts: np.ndarray) -> sc.DataArray:
        values = self._projection.image(pixel_counts)
        data = sc.array(
            dims=list(self._projection.dims),
            values=values,
            variances=values,
            unit="counts",
        )
        return sc.DataArray(data, coords=dict(self._projection.edges))

    def _spectrum(self, counts: np.ndarray) -> sc.DataArray:
        values = counts.astype(float)
        data = sc.array(
            dims=[self._edges.dim], values=values, variances=values, unit="counts"
        )
        return sc.DataArray(data, coords={self._edges.dim: self._edges})

    def _roi_spectra(self, combo: np.ndarray, indices: list[int]) -> sc.DataArray:
        rows = np.flatnonzero(combo.any(axis=1))
        values = np.zeros((len(indices), combo.shape[1]))
        for row, k in enumerate(indices):
            hit = rows[(rows >> k) & 1 == 1]
            if hit.size:
                values[row] = combo[hit].sum(axis=0)
        dims = ["roi", self._edges.dim]
        return sc.DataArray(
            sc.array(dims=dims, values=values, variances=values, unit="counts"),
            coords={
                "roi": sc.array(
                    dims=["roi"], values=np.asarray(indices, dtype=np.int32), unit=None
                ),
                self._edges.dim: self._edges,
            },
        )


def _edges(dim: str, edges: Any) -> sc.Variable:
    """Bin edges of an edges param, in the unit it was given in."""
    return sc.linspace(
        dim, edges.start, edges.stop, edges.num_bins + 1, unit=edges.unit
    )


def _counts(total: int) -> sc.DataArray:
    value = float(total)
    return sc.DataArray(sc.scalar(value, variance=value, unit="counts"))
