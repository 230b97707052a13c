"""DREAM's wavelength lookup table, computed offline from the chopper settings.

essreduce's analytical mode propagates the ESS pulse through DREAM's choppers
(``ess.dream.beamline.choppers``) with no files; it takes under a second, so the
table is computed once per process and configuration (``functools.cache``).

The table maps (Ltotal, event_time_offset) to wavelength; within one pulse period
the relation wraps once (the slowest neutrons of a pulse arrive after the next
pulse started). ``FrameUnwrap`` undoes the wrap per pixel so that detector views
can bin wavelength with a per-pixel linear map, and the DREAM fake inverts the same
table, so what it emits is what the reduction expects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipp as sc

from . import banks
from .powder_spec import ChopperSetting

PULSE_PERIOD_NS = 1e9 / 14.0
# Flight paths the table covers: cave monitor (72.3 m) to the farthest pixels.
LTOTAL_RANGE_M = (72.0, 79.5)


DEFAULT_SETTING = ChopperSetting.HIGH_FLUX_BC240


def source_position() -> sc.Variable:
    return sc.vector([0.0, 0.0, -banks.SOURCE_TO_SAMPLE_M], unit="m")


def disk_choppers(setting: ChopperSetting = DEFAULT_SETTING) -> dict:
    """DREAM's disk choppers in sample coordinates (essdiffraction puts the source
    at the origin; our frame has the sample there)."""
    from ess.dream.beamline import InstrumentConfiguration, choppers

    config = InstrumentConfiguration[setting.value]
    shift = source_position()
    return {
        name: dataclasses.replace(
            chopper, axle_position=chopper.axle_position.to(unit="m") + shift
        )
        for name, chopper in choppers(config).items()
    }


@cache
def lookup_table(setting: ChopperSetting = DEFAULT_SETTING):
    """The analytical ``LookupTable`` for all DREAM banks and the cave monitor."""
    import scippnexus as snx
    from ess.reduce.nexus.types import DiskChoppers, Position, SampleRun
    from ess.reduce.unwrap import GenericUnwrapWorkflow, LookupTable
    from ess.reduce.unwrap.lut import LtotalRange

    wf = GenericUnwrapWorkflow(
        run_types=[SampleRun], monitor_types=[], wavelength_from="analytical"
    )
    wf[DiskChoppers[SampleRun]] = disk_choppers(setting)
    wf[Position[snx.NXsource, SampleRun]] = source_position()
    lo, hi = LTOTAL_RANGE_M
    wf[LtotalRange[SampleRun, snx.NXdetector]] = (
        sc.scalar(lo, unit="m"),
        sc.scalar(hi, unit="m"),
    )
    return wf.compute(LookupTable[SampleRun, snx.NXdetector])


@dataclass(frozen=True)
class _Row:
    """One distance row of the table with the wrap undone: wavelength increases
    with the unwrapped time ``time_ns`` (which may exceed one period)."""

    time_ns: np.ndarray
    wavelength: np.ndarray


def _unwrap_row(times_ns: np.ndarray, wavelength: np.ndarray) -> _Row:
    valid = np.isfinite(wavelength)
    t, lam = times_ns[valid], wavelength[valid]
    drops = np.diff(lam)
    wrap = int(np.argmin(drops)) + 1 if drops.size and drops.min() < 0 else 0
    t = np.concatenate([t[wrap:], t[:wrap] + PULSE_PERIOD_NS])
    lam = np.maximum.accumulate(np.concatenate([lam[wrap:], lam[:wrap]]))
    return _Row(t, lam)


@cache
def _rows(setting: ChopperSetting) -> tuple[np.ndarray, tuple[_Row, ...]]:
    table = lookup_table(setting).array
    distances = table.coords["distance"].to(unit="m").values
    times = table.coords["event_time_offset"].to(unit="ns", dtype="float64").values
    values = table.to(unit="angstrom").values
    return distances, tuple(_unwrap_row(times, row) for row in values)


def _row_weights(ltotal_m: np.ndarray, distances: np.ndarray):
    pos = np.interp(ltotal_m, distances, np.arange(distances.size))
    lower = np.clip(np.floor(pos).astype(int), 0, distances.size - 2)
    return lower, pos - lower


def time_of_arrival_ns(
    ltotal_m: np.ndarray,
    wavelength_angstrom: np.ndarray,
    setting: ChopperSetting = DEFAULT_SETTING,
) -> np.ndarray:
    """event_time_offset (ns in the pulse) at which the table gives this wavelength.

    Inverts the table row by row and interpolates linearly between distance rows.
    """
    distances, rows = _rows(setting)
    ltotal_m = np.asarray(ltotal_m, dtype=float)
    wavelength_angstrom = np.asarray(wavelength_angstrom, dtype=float)
    lower, frac = _row_weights(ltotal_m, distances)
    out = np.empty_like(ltotal_m)
    for i in np.unique(lower):
        sel = lower == i
        lam = wavelength_angstrom[sel]
        t0 = np.interp(lam, rows[i].wavelength, rows[i].time_ns)
        t1 = np.interp(lam, rows[i + 1].wavelength, rows[i + 1].time_ns)
        out[sel] = (1 - frac[sel]) * t0 + frac[sel] * t1
    return np.mod(out, PULSE_PERIOD_NS)


@dataclass(frozen=True)
class FrameUnwrap:
    """Per pixel: wavelength = scale * ((toa - shift) mod period) + offset, toa in ns.

    A linear fit to the nearest table row (rows are 0.1 m apart): the pulse-shaping
    choppers act as a point source, so wavelength is close to linear in unwrapped
    time; good to a few percent (several PSC openings), for views, not reduction.
    """

    shift_ns: np.ndarray
    scale: np.ndarray
    offset: np.ndarray


def frame_unwrap(
    ltotal_m: np.ndarray, setting: ChopperSetting = DEFAULT_SETTING
) -> FrameUnwrap:
    distances, rows = _rows(setting)
    ltotal_m = np.asarray(ltotal_m, dtype=float)
    nearest = np.clip(
        np.rint(np.interp(ltotal_m, distances, np.arange(distances.size))).astype(int),
        0,
        distances.size - 1,
    )
    shift = np.empty_like(ltotal_m)
    scale = np.empty_like(ltotal_m)
    offset = np.empty_like(ltotal_m)
    for i in np.unique(nearest):
        row = rows[i]
        a, b = np.polyfit(row.time_ns, row.wavelength, 1)
        start = row.time_ns[0]
        sel = nearest == i
        shift[sel] = start
        scale[sel] = a
        offset[sel] = a * start + b
    return FrameUnwrap(np.mod(shift, PULSE_PERIOD_NS), scale, offset)
