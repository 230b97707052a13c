"""Per-event pieces shared by the reduction kernels: pixel index, wavelength (F5).

Where the line is: the scientific libraries (essreduce, essdiffraction, esssans,
scippneutron) build every table once per job: the wavelength lookup table, the
pixels' flight paths and angles, masks, bin edges. They are slow per event
(binned scipp arrays, several passes and temporaries per event: ~1e5-1e6
events/s measured in a service). So the per-event work (event_id -> pixel,
event_time_offset -> wavelength -> d or Q -> bin) runs here in one numba pass
with the library's tables, and the library takes over again on the histograms.

``PixelTable`` maps event_id to a pixel index (-1 if not in the bank).
``WavelengthGrid`` is essreduce's lookup table with each pixel's distance row and
weights precomputed; ``wavelength_at`` evaluates it exactly as essreduce's numba
interpolator does (same formula and order of operations), then divides by Ltotal.

Events hit pixels at random, so a kernel's speed is set by cache misses, not
arithmetic: ``pixel_records`` packs everything a kernel reads per pixel into one
32-byte row (half a cache line) indexed directly by event_id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np


@dataclass(frozen=True, eq=False)
class PixelTable:
    """event_id -> index into the bank's flat pixel arrays (-1: not this bank)."""

    first_id: int
    index: np.ndarray  # int64, size max_id - first_id + 1

    @classmethod
    def from_detector_numbers(cls, numbers: np.ndarray) -> PixelTable:
        flat = np.asarray(numbers, dtype=np.int64).ravel()
        first = int(flat.min())
        index = np.full(int(flat.max()) - first + 1, -1, dtype=np.int64)
        index[flat - first] = np.arange(flat.size)
        return cls(first, index)


@dataclass(frozen=True, eq=False)
class WavelengthGrid:
    """essreduce's lookup table (λ·L on a regular (distance, time) grid) and, per
    pixel, its distance row ``row`` and weights ``below`` = y2 - L, ``above`` =
    L - y1 (row -1: the pixel is off the table, its events get no wavelength)."""

    time_edges_ns: np.ndarray
    distance_edges_m: np.ndarray
    values: np.ndarray  # (n_distance, n_time): wavelength * distance
    # (n_distance - 1, n_time - 1, 4): the four corners of each cell side by
    # side, so one interpolation reads one cache line instead of two rows.
    corners: np.ndarray
    norm: float  # 1 / (dx dy)
    row: np.ndarray
    below: np.ndarray
    above: np.ndarray
    ltotal_m: np.ndarray

    @classmethod
    def from_table(cls, table, ltotal_m: np.ndarray) -> WavelengthGrid:
        """``table``: essreduce's ``LookupTable``; pulse skipping is not supported."""
        if table.pulse_stride != 1:
            raise ValueError(
                f"pulse stride {table.pulse_stride}: only stride 1 is supported"
            )
        array = table.array
        times = array.coords["event_time_offset"].to(unit="ns", dtype="float64")
        distances = array.coords["distance"].to(unit="m", dtype="float64").values
        values = (array.data.to(unit="angstrom") * array.coords["distance"]).values
        y = distances
        ltotal = np.asarray(ltotal_m, dtype=np.float64).ravel()
        dy = y[1] - y[0]
        inside = (ltotal >= y[0]) & (ltotal <= y[-1])
        row = np.where(
            ltotal == y[-1], y.size - 2, ((ltotal - y[0]) * (1.0 / dy)).astype(int)
        )
        row = np.where(inside, row, -1).astype(np.int64)
        safe = np.clip(row, 0, y.size - 2)
        t = times.values
        v = np.ascontiguousarray(values, dtype=np.float64)
        corners = np.stack(
            [v[:-1, :-1], v[:-1, 1:], v[1:, :-1], v[1:, 1:]], axis=-1
        ).copy()
        return cls(
            time_edges_ns=np.ascontiguousarray(t),
            distance_edges_m=np.ascontiguousarray(y),
            values=v,
            corners=corners,
            norm=(1.0 / (t[1] - t[0])) * (1.0 / dy),
            row=row,
            below=np.ascontiguousarray(y[safe + 1] - ltotal),
            above=np.ascontiguousarray(ltotal - y[safe]),
            ltotal_m=ltotal,
        )


@numba.njit(inline="always", nogil=True)
def wavelength_at(toa_ns, p, t_edges, values, norm, row, below, above, ltotal):
    """Wavelength (Å) of an event of pixel ``p``; NaN off the table."""
    iy = row[p]
    nx = t_edges.shape[0]
    xmin = t_edges[0]
    xmax = t_edges[nx - 1]
    if iy < 0 or toa_ns < xmin or toa_ns > xmax:
        return np.nan
    if toa_ns == xmax:
        ix = nx - 2
    else:
        ix = int((toa_ns - xmin) * (1.0 / (t_edges[1] - xmin)))
    x2mxx = t_edges[ix + 1] - toa_ns
    xxmx1 = toa_ns - t_edges[ix]
    a11 = values[iy, ix]
    a21 = values[iy, ix + 1]
    a12 = values[iy + 1, ix]
    a22 = values[iy + 1, ix + 1]
    out = (
        below[p] * (x2mxx * a11 + xxmx1 * a21) + above[p] * (x2mxx * a12 + xxmx1 * a22)
    ) * norm
    return out / ltotal[p]


@numba.njit(inline="always", nogil=True)
def bin_index(x, edges):
    """Index of the bin of ``x`` in ascending, evenly spaced ``edges`` (-1: none);
    exact at the edges (left-closed bins, like scipp's ``hist``)."""
    n = edges.shape[0] - 1
    lo = edges[0]
    hi = edges[n]
    if not (x >= lo and x < hi):
        return -1
    i = int((x - lo) * (n / (hi - lo)))
    if i >= n:
        i = n - 1
    if x < edges[i]:
        i -= 1
    elif x >= edges[i + 1]:
        i += 1
    if i < 0 or i >= n:
        return -1
    return i


@numba.njit(inline="always", nogil=True)
def sorted_bin_index(x, edges):
    """Index of the bin of ``x`` in any ascending ``edges`` (-1: none)."""
    n = edges.shape[0] - 1
    if not (x >= edges[0] and x < edges[n]):
        return -1
    return np.searchsorted(edges, x, side="right") - 1


def evenly_spaced(edges: np.ndarray) -> bool:
    """Whether ``bin_index`` may bin into ``edges`` (else ``sorted_bin_index``:
    log-scaled or irregular bins)."""
    edges = np.asarray(edges, dtype=np.float64)
    if edges.size < 3:
        return True
    step = (edges[-1] - edges[0]) / (edges.size - 1)
    return bool(np.allclose(np.diff(edges), step, rtol=1e-9, atol=0.0))


def flat_events(events) -> tuple[np.ndarray, np.ndarray]:
    """(event_id, event_time_offset in ns as float64) of NXevent_data-like data."""
    import scipp as sc

    content = events.bins.constituents["data"] if events.bins is not None else events
    ids = content.coords["event_id"].values
    toa = content.coords["event_time_offset"]
    if toa.unit != sc.Unit("ns"):
        toa = toa.to(unit="ns")
    return ids, toa.values


RECORD_FIELDS = 4  # float64s per pixel: 32 bytes, two pixels per cache line


def pixel_records(
    pixels: PixelTable, grid: WavelengthGrid, extra: dict[int, np.ndarray]
) -> np.ndarray:
    """Per event_id (offset ``pixels.first_id``), one 32-byte-aligned row:
    [0] distance row (-1: off the table, -2: not in the bank), [1] Ltotal, then
    ``extra`` columns 2-3 (per pixel, as float64). Small rows keep the table of a
    large bank in the last-level cache (DREAM's mantle: 16 MB)."""
    n = pixels.index.size
    raw = np.zeros(n * RECORD_FIELDS + RECORD_FIELDS, dtype=np.float64)
    skip = (-raw.ctypes.data % 32) // 8
    rec = raw[skip : skip + n * RECORD_FIELDS].reshape(n, RECORD_FIELDS)
    valid = pixels.index >= 0
    p = pixels.index[valid]
    rec[:, 0] = -2.0
    rec[valid, 0] = grid.row[p]
    rec[valid, 1] = grid.ltotal_m[p]
    for column, values in extra.items():
        if not 2 <= column < RECORD_FIELDS:
            raise ValueError(f"extra column {column} outside 2..3")
        rec[valid, column] = np.asarray(values, dtype=np.float64)[p]
    return rec


@numba.njit(inline="always", nogil=True)
def record_wavelength(toa_ns, rec, k, t_edges, d_edges, corners, norm):
    """``wavelength_at`` for the pixel record ``rec[k]`` (NaN off table or bank);
    y2 - L and L - y1 are formed here exactly as essreduce forms them."""
    iy = np.int64(rec[k, 0])
    nx = t_edges.shape[0]
    xmin = t_edges[0]
    xmax = t_edges[nx - 1]
    if iy < 0 or toa_ns < xmin or toa_ns > xmax:
        return np.nan
    if toa_ns == xmax:
        ix = nx - 2
    else:
        ix = int((toa_ns - xmin) * (1.0 / (t_edges[1] - xmin)))
    x2mxx = t_edges[ix + 1] - toa_ns
    xxmx1 = toa_ns - t_edges[ix]
    ltotal = rec[k, 1]
    c = corners[iy, ix]
    out = (
        (d_edges[iy + 1] - ltotal) * (x2mxx * c[0] + xxmx1 * c[1])
        + (ltotal - d_edges[iy]) * (x2mxx * c[2] + xxmx1 * c[3])
    ) * norm
    return out / ltotal
