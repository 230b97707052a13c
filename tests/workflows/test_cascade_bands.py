"""Bands of wavelength per time bin from chopper-cascade polygons (NumPy only)."""

import numpy as np
import pytest

from livedata.workflows.cascade_bands import bands


def parallelogram(t0: float, t1: float, lam0: float, lam1: float, slope: float):
    """Neutrons emitted in [t0, t1] with wavelengths [lam0, lam1], seen where
    their arrival is t + slope * lam (time per Å at that distance)."""
    return np.array(
        [
            [t0 + slope * lam0, lam0],
            [t1 + slope * lam0, lam0],
            [t1 + slope * lam1, lam1],
            [t0 + slope * lam1, lam1],
        ]
    )


def test_a_band_follows_de_broglie_between_the_emission_edges():
    # 10 units of time per Å; emission 0..2; wavelengths 1..5 Å: arrivals 10..52.
    low, high = bands([parallelogram(0.0, 2.0, 1.0, 5.0, 10.0)], 100.0, 100)
    centres = np.arange(100) + 0.5
    inside = (centres > 12) & (centres < 50)
    # Arrival t means wavelength between (t - 2) / 10 and t / 10, within a bin.
    assert np.allclose(low[inside], (centres[inside] - 2.5) / 10, atol=1e-9)
    assert np.allclose(high[inside], (centres[inside] + 0.5) / 10, atol=1e-9)
    assert np.isnan(low[centres < 9]).all() and np.isnan(high[centres > 53]).all()
    assert np.nanmin(low) == pytest.approx(1.0) and np.nanmax(high) == 5.0


def test_arrivals_after_the_period_fold_into_the_next_frame():
    # Arrivals 80..122 in a frame of 100: 0..22 hold the slow end (5.0-6.0 Å
    # arrive 100..122).
    low, high = bands([parallelogram(0.0, 2.0, 4.0, 6.0, 20.0)], 100.0, 50)
    assert np.isfinite(low[:11]).all()  # 0..22 in bins of 2
    assert np.isnan(low[12:39]).all()  # 24..78: nothing
    assert np.nanmax(high[:11]) == pytest.approx(6.0)
    assert high[0] > low[-1]  # the folded part is the slowest


def test_two_polygons_make_one_band_per_bin_and_none_is_empty():
    a = parallelogram(0.0, 1.0, 1.0, 2.0, 10.0)
    b = parallelogram(0.0, 1.0, 3.0, 4.0, 10.0)
    low, high = bands([a, b], 50.0, 50)
    assert np.nanmin(low) == pytest.approx(1.0) and np.nanmax(high) == 4.0
    assert np.isnan(low[22:29]).all()  # between the two: nothing arrives
    assert (low[np.isfinite(low)] <= high[np.isfinite(high)]).all()
    empty_low, empty_high = bands([], 50.0, 5)
    assert np.isnan(empty_low).all() and np.isnan(empty_high).all()
