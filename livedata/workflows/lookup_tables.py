"""Wavelength lookup tables from an instrument's geometry and choppers, cached on disk.

essreduce's analytical mode (``ess.reduce.unwrap``) propagates the source pulse
(``SourceBounds``: emission times and wavelengths) through the disk choppers with
no files. ``cached_table`` keeps each table as HDF5 next to the geometry files (the
cache folder; ``LIVEDATA_DATA_DIR`` is read first), named by a digest of its
inputs and the essreduce version, so each service process loads it in
milliseconds instead of recomputing it.

A table maps (Ltotal, event_time_offset) to wavelength; within one pulse period
the relation may wrap once (slow neutrons of a pulse arrive after the next pulse
began). ``TableRows`` undoes the wrap per distance row: ``time_of_arrival_ns``
inverts the table (for fakes) and ``frame_unwrap`` gives each pixel the shift and
linear map detector views bin with. ``NoChopperLookup`` is the table of an
instrument with no chopper settings offline (LOKI, TBL).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..config.data_dirs import FetchSettings
from ..core.timestamp import NS_PER_S, PULSE_FREQUENCY_HZ
from .source_pulse import emission_window_ns

logger = logging.getLogger(__name__)

PULSE_PERIOD_NS = NS_PER_S / PULSE_FREQUENCY_HZ  # exact, not rounded to whole ns


def analytical_workflow(
    *,
    choppers: Mapping,
    source_position,
    ltotal_range_m: tuple[float, float],
    wavelength_band_angstrom: tuple[float, float] | None = None,
):
    """essreduce's analytical unwrap workflow for detectors with Ltotal in the range.

    The emission window is the real ESS pulse's (``source_pulse``: 2.86 ms about
    the mean emission time), not essreduce's default 0-5 ms, so the table is
    unbiased for real neutrons. ``wavelength_band_angstrom`` narrows the source's
    wavelengths (default 0.001-15 Å) where a bandwidth chopper whose settings are
    not available would. Resolutions, pulse period and stride are essreduce's
    defaults until the caller sets them (the facility's ``wavelength_lut`` does).
    """
    import scipp as sc
    import scippnexus as snx
    from ess.reduce.nexus.types import DiskChoppers, Position, SampleRun
    from ess.reduce.unwrap import GenericUnwrapWorkflow
    from ess.reduce.unwrap.lut import LtotalRange, SourceBounds

    wf = GenericUnwrapWorkflow(
        run_types=[SampleRun], monitor_types=[], wavelength_from="analytical"
    )
    wf[DiskChoppers[SampleRun]] = dict(choppers)
    wf[Position[snx.NXsource, SampleRun]] = source_position
    lo, hi = ltotal_range_m
    wf[LtotalRange[SampleRun, snx.NXdetector]] = (
        sc.scalar(lo, unit="m"),
        sc.scalar(hi, unit="m"),
    )
    bounds = wf.compute(SourceBounds)
    wavelength = bounds.wavelength
    if wavelength_band_angstrom is not None:
        low, high = wavelength_band_angstrom
        wavelength = (sc.scalar(low, unit="angstrom"), sc.scalar(high, unit="angstrom"))
    start, stop = emission_window_ns()
    wf[SourceBounds] = SourceBounds(
        time=(sc.scalar(start, unit="ns"), sc.scalar(stop, unit="ns")),
        wavelength=wavelength,
    )
    return wf


def analytical_table(
    *,
    choppers: Mapping,
    source_position,
    ltotal_range_m: tuple[float, float],
    wavelength_band_angstrom: tuple[float, float] | None = None,
):
    """essreduce's analytical table of :func:`analytical_workflow`."""
    import scippnexus as snx
    from ess.reduce.nexus.types import SampleRun
    from ess.reduce.unwrap import LookupTable

    wf = analytical_workflow(
        choppers=choppers,
        source_position=source_position,
        ltotal_range_m=ltotal_range_m,
        wavelength_band_angstrom=wavelength_band_angstrom,
    )
    return wf.compute(LookupTable[SampleRun, snx.NXdetector])


@dataclass(frozen=True)
class NoChopperLookup:
    """The table of an instrument whose chopper settings are not available: the
    ESS pulse (its real emission window) over the flight path (source at -z),
    the source's wavelengths
    limited to the band its bandwidth choppers would pass. Table and rows are
    made once per process (the table disk-cached)."""

    instrument: str
    source_to_sample_m: float
    ltotal_range_m: tuple[float, float]
    wavelength_band_angstrom: tuple[float, float]

    def table(self):
        """essreduce's analytical ``LookupTable`` with no choppers."""
        return _no_chopper_table(self)

    def rows(self) -> TableRows:
        return _no_chopper_rows(self)

    def frame_unwrap(self, ltotal_m: np.ndarray) -> FrameUnwrap:
        return self.rows().frame_unwrap(ltotal_m)


@cache
def _no_chopper_table(lookup: NoChopperLookup):
    import scipp as sc

    return cached_table(
        lookup.instrument,
        {
            "choppers": "none",
            "source_to_sample_m": lookup.source_to_sample_m,
            "ltotal_range_m": lookup.ltotal_range_m,
            "band_angstrom": lookup.wavelength_band_angstrom,
        },
        lambda: analytical_table(
            choppers={},
            source_position=sc.vector([0.0, 0.0, -lookup.source_to_sample_m], unit="m"),
            ltotal_range_m=lookup.ltotal_range_m,
            wavelength_band_angstrom=lookup.wavelength_band_angstrom,
        ),
    )


@cache
def _no_chopper_rows(lookup: NoChopperLookup) -> TableRows:
    return TableRows.from_table(_no_chopper_table(lookup))


def table_filename(instrument: str, inputs: Mapping[str, object]) -> str:
    """``wavelength-<instrument>-<digest>.h5``: the digest covers the inputs, the
    emission window and the essreduce version, so a change computes a new table."""
    from importlib.metadata import version

    text = json.dumps(
        {
            **inputs,
            "essreduce": version("essreduce"),
            "emission_window_ns": emission_window_ns(),
        },
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"wavelength-{instrument}-{digest}.h5"


def cached_table(
    instrument: str,
    inputs: Mapping[str, object],
    compute: Callable[[], object],
    *,
    settings: FetchSettings | None = None,
):
    """The table for ``inputs``: from disk if there, else computed and saved."""
    settings = settings or FetchSettings.resolve()
    name = table_filename(instrument, inputs)
    folders = [settings.data_dir] if settings.data_dir is not None else []
    for folder in (*folders, settings.cache_dir):
        path = folder / name
        if path.is_file():
            try:
                return _load(path)
            except (OSError, KeyError, TypeError, ValueError) as err:
                logger.warning("ignoring unreadable lookup table %s: %s", path, err)
    table = compute()
    _save(table, settings.cache_dir / name)
    logger.info("computed the %s wavelength lookup table into %s", instrument, name)
    return table


def _load(path: Path):
    import scipp as sc
    from ess.reduce.unwrap import LookupTable

    return LookupTable(**sc.io.load_hdf5(path))


def _save(table, path: Path) -> None:
    import scipp as sc

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fields = {k: v for k, v in asdict(table).items() if v is not None}
    sc.DataGroup(fields).save_hdf5(temporary)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Row:
    """One distance row with the wrap undone: wavelength increases with the
    unwrapped time ``time_ns`` (which may exceed one period)."""

    time_ns: np.ndarray
    wavelength: np.ndarray


@dataclass(frozen=True, eq=False)
class TableRows:
    """A table as NumPy rows (Å against unwrapped ns), one per distance (m)."""

    distances: np.ndarray
    rows: tuple[Row, ...]

    @classmethod
    def from_table(cls, table) -> TableRows:
        array = table.array
        distances = array.coords["distance"].to(unit="m").values
        times = array.coords["event_time_offset"].to(unit="ns", dtype="float64")
        values = array.to(unit="angstrom").values
        return cls(distances, tuple(_unwrap_row(times.values, v) for v in values))

    def _nearest(self, ltotal_m: np.ndarray) -> np.ndarray:
        index = np.interp(ltotal_m, self.distances, np.arange(self.distances.size))
        return np.clip(np.rint(index).astype(int), 0, self.distances.size - 1)

    def time_of_arrival_ns(
        self, ltotal_m: np.ndarray, wavelength_angstrom: np.ndarray
    ) -> np.ndarray:
        """event_time_offset (ns in the pulse) at which the table gives this
        wavelength: rows inverted, then linear between the two distance rows."""
        ltotal_m = np.asarray(ltotal_m, dtype=float)
        lam = np.asarray(wavelength_angstrom, dtype=float)
        pos = np.interp(ltotal_m, self.distances, np.arange(self.distances.size))
        lower = np.clip(np.floor(pos).astype(int), 0, self.distances.size - 2)
        frac = pos - lower
        out = np.empty_like(ltotal_m)
        for i in np.unique(lower):
            sel = lower == i
            a, b = self.rows[i], self.rows[i + 1]
            t0 = np.interp(lam[sel], a.wavelength, a.time_ns)
            t1 = np.interp(lam[sel], b.wavelength, b.time_ns)
            out[sel] = (1 - frac[sel]) * t0 + frac[sel] * t1
        return np.mod(out, PULSE_PERIOD_NS)

    def frame_unwrap(self, ltotal_m: np.ndarray) -> FrameUnwrap:
        """Per pixel: the shift into its frame and a linear fit to the nearest row.

        Rows are 0.1 m apart; the fit is good to a few percent (finite pulse,
        several chopper openings): for views, not for reduction. A frame begins
        halfway through the times no neutron of the table arrives at.
        """
        ltotal_m = np.asarray(ltotal_m, dtype=float)
        nearest = self._nearest(ltotal_m)
        shift = np.empty_like(ltotal_m)
        scale = np.empty_like(ltotal_m)
        offset = np.empty_like(ltotal_m)
        for i in np.unique(nearest):
            row = self.rows[i]
            a, b = np.polyfit(row.time_ns, row.wavelength, 1)
            # The frame starts in the middle of the row's empty gap (if any), so
            # events a little outside the table's coverage stay next to it.
            first, last = row.time_ns[0], row.time_ns[-1]
            start = min(first, 0.5 * (first + last - PULSE_PERIOD_NS))
            sel = nearest == i
            shift[sel] = start
            scale[sel] = a
            offset[sel] = a * start + b
        return FrameUnwrap(np.mod(shift, PULSE_PERIOD_NS), scale, offset)


def _unwrap_row(times_ns: np.ndarray, wavelength: np.ndarray) -> Row:
    valid = np.isfinite(wavelength)
    t, lam = times_ns[valid], wavelength[valid]
    drops = np.diff(lam)
    wrap = int(np.argmin(drops)) + 1 if drops.size and drops.min() < 0 else 0
    t = np.concatenate([t[wrap:], t[:wrap] + PULSE_PERIOD_NS])
    lam = np.maximum.accumulate(np.concatenate([lam[wrap:], lam[:wrap]]))
    return Row(t, lam)


@dataclass(frozen=True)
class FrameUnwrap:
    """Per pixel: wavelength = scale * ((toa - shift_ns) mod period) + offset.

    ``toa`` in ns; ``scale`` in Å/ns and ``offset`` in Å.
    """

    shift_ns: np.ndarray
    scale: np.ndarray
    offset: np.ndarray
