"""Autoscaling (D17): grow past 10 %, shrink below half, no jitter from noise."""

import numpy as np

from livedata.plots.autoscale import Autoscaler


def test_first_data_sets_a_padded_range():
    scaler = Autoscaler()
    low, high = scaler.update(0.0, 100.0)
    assert low == 0.0 and high > 100.0  # never padded below zero
    assert scaler.update(0.0, 100.0) is None  # unchanged data: no rescale


def test_grows_only_when_data_leaves_by_more_than_ten_percent():
    scaler = Autoscaler()
    scaler.update(0.0, 100.0)
    low, high = scaler.range()
    span = high - low
    assert scaler.update(0.0, high + 0.09 * span) is None
    grown = scaler.update(0.0, high + 0.2 * span)
    assert grown is not None and grown[1] > high + 0.2 * span


def test_shrinks_when_more_than_half_is_empty_for_a_while():
    scaler = Autoscaler(memory=5)
    scaler.update(0.0, 100.0)
    assert scaler.update(0.0, 60.0) is None  # 60 % used: kept
    # Half empty, but only since one frame: no shrink right after data left.
    assert scaler.update(0.0, 30.0) is None
    for _ in range(5):  # once the last 5 frames all used less than half
        scaler.update(0.0, 30.0)
    assert 30.0 < scaler.range()[1] < 40.0


def test_counting_noise_never_moves_the_range():
    rng = np.random.default_rng(1)
    scaler = Autoscaler()
    changes = []
    for frame in range(500):
        counts = rng.poisson(1000, size=100)
        if scaler.update(float(counts.min()), float(counts.max())) is not None:
            changes.append(frame)
    # Set by the first frame, perhaps widened once while the envelope of the
    # noise is being learnt; never again.
    assert changes[0] == 0 and len(changes) <= 2 and changes[-1] < 20


def test_growing_data_rescales_a_few_times_not_every_frame():
    scaler = Autoscaler()
    changes = sum(
        scaler.update(0.0, float(total)) is not None for total in range(100, 10_100, 10)
    )
    assert 5 <= changes <= 60


def test_log_ranges_work_in_decades_and_ignore_non_positive_lows():
    scaler = Autoscaler(log=True)
    low, high = scaler.update(0.0, 1e6)  # zero cannot be drawn in log
    assert 0 < low < 1.0 and high > 1e6
    scaler = Autoscaler(log=True)
    low, high = scaler.update(10.0, 1e6)
    assert 0.5 < low < 10.0 and 1e6 < high < 1e8
    assert scaler.update(20.0, 2e6) is None  # within the decades kept
    assert scaler.update(10.0, 1e9)[1] > 1e9  # three decades above: grows


def test_fit_forgets_the_old_range():
    scaler = Autoscaler()
    scaler.update(0.0, 1000.0)
    assert scaler.update(0.0, 700.0) is None
    low, high = scaler.fit(0.0, 700.0)
    assert 700.0 < high < 1000.0 and scaler.range() == (low, high)
