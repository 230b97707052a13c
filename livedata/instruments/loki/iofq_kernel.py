"""loki/i_of_q's per-event kernel: events -> esssans's numerator ``BinnedQ``.

esssans's chain from events to the numerator binned in Q (``RawDetector`` ->
``WavelengthDetector`` -> pixel masks -> ``QDetector`` -> ``BinnedQ``) builds
binned scipp arrays per event. This provider replaces that chain and only it,
with a dense (wavelength, Q) histogram on ``WavelengthBins`` (the edges
esssans aligns its wavelength bands to, so slicing bands out of it selects what
its event-mode binning selects). The tables come from the library once per job
and once per carriage move: essreduce's error-limited lookup table and Ltotal,
each pixel's 2theta from esssans's coordinate graph, the pixel masks. Per event:
wavelength (essreduce's interpolation), Q = 4π sin θ / λ (scippneutron's order of
operations), one add. The wavelength mask, the reduction over bands, the
denominator and the normalisation stay esssans's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipp as sc
import scippnexus as snx
from ess.reduce.nexus.types import NeXusData
from ess.reduce.unwrap.types import DetectorLtotal, ErrorLimitedLookupTable
from ess.sans.conversions import ElasticCoordTransformGraph
from ess.sans.types import (
    BinnedQ,
    DetectorMasks,
    DimsToKeep,
    EmptyDetector,
    Numerator,
    QBins,
    SampleRun,
    WavelengthBins,
)

from livedata.workflows.event_kernel import (
    PixelTable,
    WavelengthGrid,
    bin_index,
    evenly_spaced,
    flat_events,
    pixel_records,
    record_wavelength,
    sorted_bin_index,
)


@dataclass(frozen=True, eq=False)
class IofQKernel:
    pixels: PixelTable
    grid: WavelengthGrid
    records: np.ndarray  # column 2: 4π sin θ; column 3: 1 if the pixel is masked
    q_edges: sc.Variable
    wavelength_edges: sc.Variable


def iofq_kernel(
    detector: EmptyDetector[SampleRun],
    masks: DetectorMasks,
    ltotal: DetectorLtotal[SampleRun],
    graph: ElasticCoordTransformGraph[SampleRun],
    table: ErrorLimitedLookupTable[SampleRun, snx.NXdetector],
    q_bins: QBins,
    wavelength_bins: WavelengthBins,
    dims_to_keep: DimsToKeep,
) -> IofQKernel:
    """The job's tables, built by the library (again after each carriage move)."""
    if dims_to_keep:
        raise ValueError(f"DimsToKeep {dims_to_keep} is not supported by the kernel")
    two_theta = detector.transform_coords(
        "two_theta", graph=graph, keep_intermediate=False
    ).coords["two_theta"]
    two_theta = sc.broadcast(two_theta, sizes=detector.sizes)
    c = 4 * np.pi
    q_factor = c * np.sin(two_theta.to(unit="rad", dtype="float64").values / 2)
    masked = np.zeros(detector.shape, dtype=bool)
    for mask in masks.values():
        masked |= sc.broadcast(mask, sizes=detector.sizes).values
    ltotal_m = sc.broadcast(ltotal, sizes=detector.sizes).to(unit="m").values
    pixels = PixelTable.from_detector_numbers(detector.coords["detector_number"].values)
    grid = WavelengthGrid.from_table(table, ltotal_m.ravel())
    return IofQKernel(
        pixels=pixels,
        grid=grid,
        records=pixel_records(
            pixels, grid, {2: q_factor.ravel(), 3: masked.ravel().astype(float)}
        ),
        q_edges=q_bins.to(unit="1/angstrom", dtype="float64"),
        wavelength_edges=wavelength_bins.to(unit="angstrom", dtype="float64"),
    )


@numba.njit(cache=True, nogil=True)
def _bin_q(
    event_id,
    toa,
    first_id,
    rec,
    t_edges,
    y_edges,
    corners,
    norm,
    w_edges,
    w_even,
    q_edges,
    out,
):
    """``w_even``: the wavelength edges are evenly spaced (else searched)."""
    dropped = 0
    n_ids = rec.shape[0]
    for i in range(event_id.shape[0]):
        k = np.int64(event_id[i]) - first_id
        if k < 0 or k >= n_ids or rec[k, 0] < -1.5:
            dropped += 1
            continue
        if rec[k, 3] != 0.0:
            continue
        lam = record_wavelength(
            np.float64(toa[i]), rec, k, t_edges, y_edges, corners, norm
        )
        w = bin_index(lam, w_edges) if w_even else sorted_bin_index(lam, w_edges)
        if w < 0:
            continue
        q = sorted_bin_index(rec[k, 2] / lam, q_edges)
        if q < 0:
            continue
        out[w, q] += 1.0
    return dropped


def bin_events(kernel: IofQKernel, event_id: np.ndarray, toa_ns: np.ndarray):
    """(wavelength, Q) counts; and the events not in the bank."""
    out = np.zeros(
        (kernel.wavelength_edges.size - 1, kernel.q_edges.size - 1), dtype=np.float64
    )
    g = kernel.grid
    q = kernel.q_edges.values
    dropped = _bin_q(
        event_id,
        toa_ns,
        kernel.pixels.first_id,
        kernel.records,
        g.time_edges_ns,
        g.distance_edges_m,
        g.corners,
        g.norm,
        kernel.wavelength_edges.values,
        evenly_spaced(kernel.wavelength_edges.values),
        q,
        out,
    )
    return out, dropped


def numerator_binned_q(
    events: NeXusData[snx.NXdetector, SampleRun], kernel: IofQKernel
) -> BinnedQ[SampleRun, Numerator]:
    """esssans's numerator ``BinnedQ`` of one batch, as a dense histogram."""
    event_id, toa = flat_events(events)
    counts, _ = bin_events(kernel, event_id, toa)
    return BinnedQ[SampleRun, Numerator](
        sc.DataArray(
            sc.array(dims=["wavelength", "Q"], values=counts, unit="counts"),
            coords={"wavelength": kernel.wavelength_edges, "Q": kernel.q_edges},
        )
    )
