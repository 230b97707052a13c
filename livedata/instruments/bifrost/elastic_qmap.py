"""The facility's ``bifrost/elastic_qmap*``: counts in two components of Q (heavy).

Per pixel, the Q-E map's table (``qe_kernel.qe_table``: frame shift and start,
t0, E_f, k_f) and the direction of k_f: from the sample towards the pixel's
analyser, in the horizontal scattering plane above the tube. Per event, one
numba pass: time of flight, E_i = m_n L1² / 2 (tof - t0)² (scippneutron's
``energy_transfer_indirect_from_tof`` plus E_f), k_i along the beam,
Q = k_i - k_f, its projections onto the two (normalised) axis directions, one
add. The map accumulates since start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numba
import numpy as np
import scipp as sc

from livedata.core.timestamp import Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.instruments.instrument_geometry import (
    InstrumentGeometry,
    instrument_geometry,
)
from livedata.workflows.event_kernel import (
    bin_index,
    evenly_spaced,
    flat_events,
    sorted_bin_index,
)
from livedata.workflows.facility.reductions import bin_edges
from livedata.workflows.lookup_tables import PULSE_PERIOD_NS

from . import banks
from .elastic_qmap_spec import FRAME_WARNING, MapAxis, map_axes
from .qe_kernel import qe_table
from .qe_map import MEV_PER_INV_ANGSTROM2, kinematics


@dataclass(frozen=True, eq=False)
class QMapTable:
    first_pixel: int
    # Per pixel: shift, frame start, t0 (ns), E_f (meV), k_f (1/Å), cos 2θ.
    rows: np.ndarray
    k_final: np.ndarray  # per pixel: the k_f vector (1/Å), (n, 3)
    scale: float  # m_n L1² / 2 in meV ns²


def final_directions(positions: np.ndarray) -> np.ndarray:
    """Unit vectors from the sample towards each pixel's analyser: the pixel's
    direction in the horizontal plane (the analyser sits above the tube)."""
    p = np.asarray(positions, dtype=np.float64).reshape(-1, 3)
    in_plane = np.hypot(p[:, 0], p[:, 2])
    return np.stack(
        [p[:, 0] / in_plane, np.zeros_like(in_plane), p[:, 2] / in_plane], axis=1
    )


@cache
def qmap_table(geometry: InstrumentGeometry) -> QMapTable:
    k = kinematics(geometry)
    table = qe_table(k)
    positions = geometry.bank(banks.UNIFIED.name).positions
    k_f = table.rows[:, 4:5] * final_directions(positions)
    return QMapTable(
        table.first_pixel, table.rows, np.ascontiguousarray(k_f), table.scale
    )


@numba.njit(inline="always", nogil=True)
def _bin(x, edges, even):
    return bin_index(x, edges) if even else sorted_bin_index(x, edges)


@numba.njit(cache=True, nogil=True)
def _scatter(
    event_id,
    toa,
    first,
    rows,
    k_final,
    scale,
    period,
    u1,
    u2,
    e1,
    even1,
    e2,
    even2,
    out,
):
    """Counts into ``out[axis2 bin, axis1 bin]``; returns events not in the bank."""
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
        k_i = np.sqrt(scale / delta**2 / MEV_PER_INV_ANGSTROM2)
        qx = -k_final[p, 0]
        qy = -k_final[p, 1]
        qz = k_i - k_final[p, 2]
        a = _bin(qx * u1[0] + qy * u1[1] + qz * u1[2], e1, even1)
        b = _bin(qx * u2[0] + qy * u2[1] + qz * u2[2], e2, even2)
        if a >= 0 and b >= 0:
            out[b, a] += 1.0
    return dropped


def _unit(axis: MapAxis) -> np.ndarray:
    v = np.asarray(axis.direction, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    if not norm > 0:
        raise ValueError(f"axis {axis.name}: the direction is the zero vector")
    return v / norm


class ElasticQMapWorkflow:
    """``cut_data``: counts in (axis2, axis1) since start (``{}`` before data)."""

    def __init__(
        self, source_name: str, table: QMapTable, axes: tuple[MapAxis, MapAxis]
    ) -> None:
        axis1, axis2 = axes
        if axis1.name == axis2.name:
            raise ValueError(f"axis1 and axis2 are the same axis ({axis1.name})")
        self._source = source_name
        self._table = table
        self._units = (_unit(axis1), _unit(axis2))
        self._edges = tuple(bin_edges(a.name, a.edges) for a in axes)
        # Binned in 1/Å; published in the unit the params gave.
        self._values = tuple(
            e.to(unit="1/angstrom", dtype="float64").values for e in self._edges
        )
        self._even = tuple(evenly_spaced(v) for v in self._values)
        self._counts = np.zeros((self._values[1].size - 1, self._values[0].size - 1))
        self._has_data = False
        self._dropped = 0
        self.config_warning = FRAME_WARNING

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        events = data.get(self._source)
        if events is None:
            return
        event_id, toa = flat_events(events)
        t = self._table
        self._dropped += _scatter(
            event_id,
            toa,
            t.first_pixel,
            t.rows,
            t.k_final,
            t.scale,
            PULSE_PERIOD_NS,
            self._units[0],
            self._units[1],
            self._values[0],
            self._even[0],
            self._values[1],
            self._even[1],
            self._counts,
        )
        self._has_data = True

    def finalize(self) -> dict[str, sc.DataArray]:
        if not self._has_data:
            return {}
        e1, e2 = self._edges
        return {
            "cut_data": sc.DataArray(
                sc.array(
                    dims=[e2.dim, e1.dim], values=self._counts.copy(), unit="counts"
                ),
                coords={e1.dim: e1, e2.dim: e2},
            )
        }

    def clear(self) -> None:
        self._counts[...] = 0.0
        self._has_data = False

    def take_dropped_events(self) -> Mapping[str, int]:
        dropped, self._dropped = self._dropped, 0
        return {"bad_pixel_id": dropped} if dropped else {}


def make_elastic_qmap(context: WorkflowContext, *, custom: bool) -> ElasticQMapWorkflow:
    table = qmap_table(instrument_geometry("bifrost"))
    return ElasticQMapWorkflow(
        context.source_name, table, map_axes(context.params, custom)
    )
