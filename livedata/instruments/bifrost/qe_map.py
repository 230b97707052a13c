"""bifrost/qe_map: counts in (|Q|, energy transfer) from indirect kinematics (F5).

A sciline pipeline run by essreduce's StreamProcessor. Per batch, the merged
detector's events (NXevent_data layout) are moved into their pixel's frame
(``conversions.indirect_conversion``), given their whole time of flight, and
converted: energy transfer with scippneutron's ``energy_transfer_indirect_from_tof``
(E_f of the pixel's arc, L1, L2 via the analyser), |Q|^2 = k_i^2 + k_f^2 -
2 k_i k_f cos(2theta) with 2theta the analyser's angle in the scattering plane.
The histograms accumulate since start and per window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NewType

import numpy as np
import sciline
import scipp as sc
from scippneutron.conversion.tof import energy_transfer_indirect_from_tof

from livedata.instruments.instrument_geometry import InstrumentGeometry
from livedata.preprocessors.essreduce_accumulators import (
    NoCopyAccumulator,
    NoCopyWindowAccumulator,
)
from livedata.workflows.lookup_tables import PULSE_PERIOD_NS
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow

from . import banks
from .conversions import final_energies_mev, indirect_conversion, secondary_paths
from .qe_map_spec import QEParams

MEV_PER_INV_ANGSTROM2 = 2.0721  # E [meV] = 2.0721 k^2 [1/Å^2]

QEEvents = NewType("QEEvents", sc.DataArray)
# One batch's counts, computed once and accumulated twice (since start, window).
QEMapChunk = NewType("QEMapChunk", sc.DataArray)
QEMap = NewType("QEMap", sc.DataArray)
QEMapWindow = NewType("QEMapWindow", sc.DataArray)


@dataclass(frozen=True, eq=False)
class Kinematics:
    """Per pixel (flat, detector-number order) what the conversion needs."""

    first_pixel: int
    shift_ns: np.ndarray
    frame_start_ns: np.ndarray  # time of flight at toa' = 0
    l1_m: float
    l2_m: np.ndarray
    final_energy_mev: np.ndarray
    two_theta: np.ndarray


@dataclass(frozen=True, eq=False)
class QEBins:
    q: sc.Variable
    energy_transfer: sc.Variable


def kinematics(geometry: InstrumentGeometry) -> Kinematics:
    name = banks.UNIFIED.name
    bank = geometry.bank(name)
    conversion = indirect_conversion(geometry, name)
    positions = bank.positions.reshape(-1, 3)
    return Kinematics(
        first_pixel=geometry.first_detector_number(name),
        shift_ns=conversion.shift_ns,
        frame_start_ns=conversion.frame_start_ns,
        l1_m=geometry.primary_path(),
        l2_m=secondary_paths(positions),
        final_energy_mev=final_energies_mev(bank.shape),
        two_theta=np.arctan2(np.abs(positions[:, 0]), positions[:, 2]),
    )


def qe_counts(events: QEEvents, k: Kinematics, bins: QEBins) -> QEMapChunk:
    flat = events.bins.constituents["data"] if events.bins is not None else events
    pixel = flat.coords["event_id"].values.astype(np.int64) - k.first_pixel
    toa = flat.coords["event_time_offset"].to(unit="ns", dtype="float64").values
    keep = (pixel >= 0) & (pixel < k.shift_ns.size)
    pixel, toa = pixel[keep], toa[keep]
    tof = np.mod(toa - k.shift_ns[pixel], PULSE_PERIOD_NS) + k.frame_start_ns[pixel]
    final = sc.array(dims=["event"], values=k.final_energy_mev[pixel], unit="meV")
    transfer = energy_transfer_indirect_from_tof(
        tof=sc.array(dims=["event"], values=tof, unit="ns"),
        L1=sc.scalar(k.l1_m, unit="m"),
        L2=sc.array(dims=["event"], values=k.l2_m[pixel], unit="m"),
        final_energy=final,
    ).to(unit="meV")
    e_i = transfer.values + final.values
    k_i = np.sqrt(np.clip(e_i, 0, None) / MEV_PER_INV_ANGSTROM2)
    k_f = np.sqrt(final.values / MEV_PER_INV_ANGSTROM2)
    q = np.sqrt(
        np.clip(k_i**2 + k_f**2 - 2 * k_i * k_f * np.cos(k.two_theta[pixel]), 0, None)
    )
    counts, _, _ = np.histogram2d(
        q, transfer.values, bins=[bins.q.values, bins.energy_transfer.values]
    )
    return QEMapChunk(
        sc.DataArray(
            sc.array(dims=["Q", "energy_transfer"], values=counts, unit="counts"),
            coords={"Q": bins.q, "energy_transfer": bins.energy_transfer},
        )
    )


def qe_map(chunk: QEMapChunk) -> QEMap:
    return QEMap(chunk)


def qe_map_window(chunk: QEMapChunk) -> QEMapWindow:
    return QEMapWindow(chunk)


def make_qe_map_workflow(
    source_name: str,
    params: QEParams | None,
    geometry: InstrumentGeometry,
    *,
    per_event_kernel: bool = True,
) -> StreamProcessorWorkflow:
    """``per_event_kernel=False``: ``qe_counts`` (scippneutron per event), the
    reference the tests compare the kernel with."""
    from .qe_kernel import qe_counts_kernel, qe_table

    params = params or QEParams()
    q, e = params.q_edges, params.energy_transfer_edges
    counts = [qe_counts_kernel, qe_table] if per_event_kernel else [qe_counts]
    pipeline = sciline.Pipeline(
        [*counts, qe_map, qe_map_window],
        params={
            Kinematics: kinematics(geometry),
            QEBins: QEBins(
                q=sc.linspace("Q", q.start, q.stop, q.num_bins + 1, unit="1/angstrom"),
                energy_transfer=sc.linspace(
                    "energy_transfer", e.start, e.stop, e.num_bins + 1, unit="meV"
                ),
            ),
        },
    )
    return StreamProcessorWorkflow(
        pipeline,
        dynamic_keys={source_name: QEEvents},
        target_keys={"qe_map": QEMap, "qe_map_current": QEMapWindow},
        accumulators={QEMap: NoCopyAccumulator, QEMapWindow: NoCopyWindowAccumulator},
    )
