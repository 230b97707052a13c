"""LOKI's Q is unbiased for neutrons emitted over the real ESS pulse.

Truth from textbook kinematics: each event has a pixel of the rear bank and the
wavelength that puts it at Q = 0.12 Å⁻¹ there (λ = 4π sin θ / Q), leaves the
source at a time drawn from the ESS pulse profile and arrives after
t = λ L_total m_n / h. The reduction's kernel (with the job's lookup table)
gives Q back; its mean must be within 0.5 % of the truth. A table built with
essreduce's default 0-5 ms emission window is shown to be biased high, so the
test can tell the difference.
"""

import dataclasses

import numpy as np
import pytest
import scipp as sc

from livedata.core.timestamp import PULSE_PERIOD
from livedata.instruments.loki import banks
from livedata.instruments.loki.carriage import DetectorCarriage
from livedata.instruments.loki.iofq import geometry, iofq_pipeline
from livedata.instruments.loki.iofq_kernel import IofQKernel, bin_events
from livedata.instruments.loki.iofq_spec import IofQParams
from livedata.workflows import lookup_tables
from livedata.workflows.event_kernel import WavelengthGrid, pixel_records
from livedata.workflows.neutron import flight_time_ns
from livedata.workflows.source_pulse import (
    PULSE_LENGTH_NS,
    emission_window_ns,
    sample_emission_ns,
)

pytestmark = pytest.mark.slow  # esssans's tables for the rear bank

Q_TRUE = 0.12


@pytest.fixture(scope="module")
def kernel() -> IofQKernel:
    wf = iofq_pipeline(banks.REAR.name, IofQParams())
    wf[DetectorCarriage] = sc.scalar(banks.NOMINAL_CARRIAGE_M, unit="m")
    fine = sc.linspace("Q", 0.9 * Q_TRUE, 1.1 * Q_TRUE, 801, unit="1/angstrom")
    return dataclasses.replace(wf.compute(IofQKernel), q_edges=fine)


def _events(n: int, rng):
    bank = geometry().bank(banks.REAR.name)
    positions = bank.positions.reshape(-1, 3)
    numbers = bank.detector_number.ravel()
    r = np.linalg.norm(positions, axis=1)
    half_theta = 0.5 * np.arccos(positions[:, 2] / r)
    lam = 4 * np.pi * np.sin(half_theta) / Q_TRUE
    lo, hi = banks.WAVELENGTH_BAND
    eligible = np.flatnonzero((lam > lo + 0.2) & (lam < hi - 0.2) & (r > 0))
    pixel = rng.choice(eligible, n)
    l_total = banks.SOURCE_TO_SAMPLE_M + r[pixel]
    t = flight_time_ns(lam[pixel], l_total) + sample_emission_ns(rng, n)
    toa = np.mod(np.rint(t), PULSE_PERIOD.ns).astype(np.int32)
    return numbers[pixel].astype(np.int32), toa, lam[pixel]


def _mean_q(kernel: IofQKernel, ids, toa) -> float:
    counts, dropped = bin_events(kernel, ids, toa.astype(np.float64))
    assert dropped == 0
    per_q = counts.sum(axis=0)
    edges = kernel.q_edges.values
    assert per_q.sum() > 0.95 * ids.size  # the window holds (almost) all events
    return float(np.sum(per_q * 0.5 * (edges[1:] + edges[:-1])) / per_q.sum())


def test_the_emission_window_is_the_real_pulse():
    start, stop = emission_window_ns()
    assert stop - start == pytest.approx(PULSE_LENGTH_NS)
    assert 1.6e6 < 0.5 * (start + stop) < 1.9e6  # the profile's mean emission


def test_q_is_within_half_a_percent_for_neutrons_of_the_real_pulse(kernel):
    ids, toa, _ = _events(200_000, np.random.default_rng(3))
    bias = _mean_q(kernel, ids, toa) / Q_TRUE - 1
    assert abs(bias) < 0.005, f"Q bias {bias:+.2%}"


def test_the_old_0_to_5_ms_window_was_biased_high(kernel, monkeypatch):
    monkeypatch.setattr(lookup_tables, "emission_window_ns", lambda: (0.0, 5e6))
    table = lookup_tables.analytical_table(
        choppers={},
        source_position=sc.vector([0.0, 0.0, -banks.SOURCE_TO_SAMPLE_M], unit="m"),
        ltotal_range_m=(20.0, 35.0),
        wavelength_band_angstrom=banks.WAVELENGTH_BAND,
    )
    grid = WavelengthGrid.from_table(table, kernel.grid.ltotal_m)
    old = dataclasses.replace(
        kernel,
        grid=grid,
        records=pixel_records(
            kernel.pixels,
            grid,
            {2: _column(kernel, 2), 3: _column(kernel, 3)},
        ),
    )
    ids, toa, _ = _events(200_000, np.random.default_rng(3))
    bias = _mean_q(old, ids, toa) / Q_TRUE - 1
    assert bias > 0.015, f"Q bias {bias:+.2%}"


def _column(kernel: IofQKernel, column: int) -> np.ndarray:
    """A per-pixel column of the records, back in pixel order."""
    valid = kernel.pixels.index >= 0
    out = np.empty(int(valid.sum()))
    out[kernel.pixels.index[valid]] = kernel.records[valid, column]
    return out
