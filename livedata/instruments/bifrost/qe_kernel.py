"""bifrost/qe_map's per-event kernel: the same kinematics as ``qe_map.qe_counts``.

``qe_counts`` converts with scippneutron per event (several scipp temporaries and
``np.histogram2d``, ~3e6 events/s). Here scippneutron and the geometry build the
per-pixel table once (frame shift and start, t0 = L2 sqrt(m_n / 2 E_f) and the
constant m_n L1² / 2 of ``energy_transfer_indirect_from_tof``, E_f, k_f,
cos 2θ); one numba pass per event then forms the time of flight, the energy
transfer, |Q| and the bin, with ``np.histogram2d``'s edge rule (the last bin
includes its right edge). ``qe_counts`` stays as the reference the tests compare
with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipp as sc
from scipp import constants

from livedata.workflows.event_kernel import flat_events
from livedata.workflows.lookup_tables import PULSE_PERIOD_NS

from .qe_map import MEV_PER_INV_ANGSTROM2, Kinematics, QEBins, QEEvents, QEMapChunk


@dataclass(frozen=True, eq=False)
class QETable:
    first_pixel: int
    # Per pixel, one row: shift, frame start, t0 (ns), E_f (meV), k_f (1/Å), cos 2θ.
    rows: np.ndarray
    scale: float  # m_n L1² / 2 in meV ns²


def qe_table(k: Kinematics) -> QETable:
    c = sc.to_unit(constants.m_n / 2, "meV*ns**2/m**2").value
    t0 = k.l2_m * np.sqrt(c / k.final_energy_mev)
    k_f = np.sqrt(k.final_energy_mev / MEV_PER_INV_ANGSTROM2)
    rows = np.stack(
        [
            k.shift_ns,
            k.frame_start_ns,
            t0,
            k.final_energy_mev,
            k_f,
            np.cos(k.two_theta),
        ],
        axis=1,
    ).astype(np.float64)
    return QETable(k.first_pixel, np.ascontiguousarray(rows), c * k.l1_m**2)


@numba.njit(inline="always", nogil=True)
def _histogram2d_index(x, edges):
    """np.histogram2d's bin of ``x`` in evenly spaced ``edges`` (-1: none)."""
    n = edges.shape[0] - 1
    lo = edges[0]
    hi = edges[n]
    if not (x >= lo and x <= hi):
        return -1
    if x == hi:
        return n - 1
    i = np.searchsorted(edges, x, side="right") - 1
    return i


@numba.njit(cache=True, nogil=True)
def _scatter(event_id, toa, first, rows, scale, period, q_edges, e_edges, out):
    dropped = 0
    n = rows.shape[0]
    for i in range(event_id.shape[0]):
        p = np.int64(event_id[i]) - first
        if p < 0 or p >= n:
            dropped += 1
            continue
        tof = np.mod(np.float64(toa[i]) - rows[p, 0], period) + rows[p, 1]
        delta = tof - rows[p, 2]
        if delta <= 0.0:
            continue
        e_f = rows[p, 3]
        transfer = scale / delta**2 - e_f
        e_i = transfer + e_f
        k_i = np.sqrt(max(e_i, 0.0) / 2.0721)
        k_f = rows[p, 4]
        q = np.sqrt(max(k_i**2 + k_f**2 - 2 * k_i * k_f * rows[p, 5], 0.0))
        a = _histogram2d_index(q, q_edges)
        b = _histogram2d_index(transfer, e_edges)
        if a >= 0 and b >= 0:
            out[a, b] += 1.0
    return dropped


def qe_counts_kernel(events: QEEvents, table: QETable, bins: QEBins) -> QEMapChunk:
    event_id, toa = flat_events(events)
    q, e = bins.q, bins.energy_transfer
    counts = np.zeros((q.size - 1, e.size - 1), dtype=np.float64)
    _scatter(
        event_id,
        toa,
        table.first_pixel,
        table.rows,
        table.scale,
        PULSE_PERIOD_NS,
        q.values,
        e.values,
        counts,
    )
    return QEMapChunk(
        sc.DataArray(
            sc.array(dims=["Q", "energy_transfer"], values=counts, unit="counts"),
            coords={"Q": q, "energy_transfer": e},
        )
    )
