"""BIFROST's time-of-flight and wavelength views: indirect geometry (E2).

Each analyser arc passes one final energy (``banks.ARC_ENERGIES_MEV``), so a
neutron's secondary flight takes t2 = L2 / v_f with v_f fixed per pixel, and the
primary flight t1 = toa - t2 gives the incident wavelength
lambda_i = (h/m_n) t1 / L1. L2 runs from the sample to the analyser in the
scattering plane above the pixel and down to the tube (``secondary_paths``).
Neutrons leave at the ESS pulse start (t0 = 0: no BIFROST chopper settings ship
offline; the 2.86 ms pulse is ~1.5 % of t1).

L1 = 162 m takes two to three pulse periods, so each pixel's frame is chosen
around its analyser's elastic time L1 / v_f (t1 within half a period of it):
energy transfers of about -1.6..+3 meV on the 5 meV arc, more on lower arcs, are
unambiguous. Time of flight is the whole flight, t1 + t2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from livedata.instruments.instrument_geometry import InstrumentGeometry
from livedata.workflows.lookup_tables import PULSE_PERIOD_NS
from livedata.workflows.neutron import H_OVER_MN_ANGSTROM

from . import banks

MEV_TO_SPEED = 437.39  # v [m/s] = 437.39 * sqrt(E [meV])
# ns per (Å m): tof = lambda * L * NS_PER_ANGSTROM_METRE (the views' relation).
NS_PER_ANGSTROM_METRE = 1e9 / H_OVER_MN_ANGSTROM


def secondary_paths(positions: np.ndarray) -> np.ndarray:
    """Sample -> analyser (in the scattering plane, above the tube) -> tube (m)."""
    positions = np.asarray(positions, dtype=float).reshape(-1, 3)
    in_plane = np.hypot(positions[:, 0], positions[:, 2])
    return in_plane + np.abs(positions[:, 1])


def final_energies_mev(shape: tuple[int, ...]) -> np.ndarray:
    """E_f (meV) per pixel of the (arc, tube, channel, pixel) bank, flat."""
    arc = np.indices(shape)[0].ravel()
    return np.asarray(banks.ARC_ENERGIES_MEV, dtype=float)[arc]


def final_speeds(shape: tuple[int, ...]) -> np.ndarray:
    """v_f (m/s) per pixel of the (arc, tube, channel, pixel) bank, flat."""
    return MEV_TO_SPEED * np.sqrt(final_energies_mev(shape))


@dataclass(frozen=True)
class IndirectConversion:
    """Per pixel: toa' = (toa - shift_ns) mod period, then linear maps of toa'.

    ``wavelength``: (scale, offset) giving the incident wavelength in Å;
    ``tof``: the same as a wavelength map whose tof over ``l1_m`` (the views'
    tof = lambda L m_n / h) is the whole flight t1 + t2.
    """

    shift_ns: np.ndarray
    frame_start_ns: np.ndarray  # time of flight at toa' = 0
    wavelength: tuple[np.ndarray, np.ndarray]
    tof: tuple[np.ndarray, np.ndarray]
    l1_m: np.ndarray


def indirect_conversion(
    geometry: InstrumentGeometry, bank_name: str = banks.UNIFIED.name
) -> IndirectConversion:
    bank = geometry.bank(bank_name)
    l1 = geometry.primary_path()
    t2 = secondary_paths(bank.positions) / final_speeds(bank.shape) * 1e9
    t1_elastic = l1 / final_speeds(bank.shape) * 1e9
    frame_start_t1 = t1_elastic - PULSE_PERIOD_NS / 2
    frame_start = frame_start_t1 + t2  # since the pulse, not folded
    scale = np.full_like(t2, H_OVER_MN_ANGSTROM * 1e-9 / l1)
    l1_m = np.full_like(t2, l1)
    per_ns = 1.0 / (NS_PER_ANGSTROM_METRE * l1_m)
    return IndirectConversion(
        shift_ns=np.mod(frame_start, PULSE_PERIOD_NS),
        frame_start_ns=frame_start,
        wavelength=(scale, scale * frame_start_t1),
        tof=(per_ns, per_ns * frame_start),
        l1_m=l1_m,
    )
