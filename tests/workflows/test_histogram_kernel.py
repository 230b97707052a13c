"""The numba per-pixel histogrammer against NumPy references."""

import numpy as np
import pytest

from livedata.workflows.histogram_kernel import (
    N_ROI_COMBOS,
    PixelHistogrammer,
    SpectralBinning,
)


def reference_toa_bins(toa, start, stop, n_bins):
    """Exact integer floor((toa - start) * n / width); -1 when outside."""
    d = np.asarray(toa, dtype=np.int64) - start
    width = stop - start
    index = (d * n_bins) // width
    return np.where((d >= 0) & (d < width), index, -1)


def random_events(rng, n, *, first, n_pixels, toa_low, toa_high):
    pixel_id = rng.integers(first - 5, first + n_pixels + 5, n).astype(np.int32)
    toa = rng.integers(toa_low, toa_high, n).astype(np.int32)
    return pixel_id, toa


def test_toa_mode_matches_bincount_and_integer_histogram():
    rng = np.random.default_rng(1)
    first, n_pixels, start, stop, n_bins = 10, 50, 1_000, 1_001_000, 37
    hist = PixelHistogrammer(n_pixels, first, SpectralBinning(start, stop, n_bins))
    pixel_id, toa = random_events(
        rng, 20_000, first=first, n_pixels=n_pixels, toa_low=-500, toa_high=1_100_000
    )
    hist.add(pixel_id, toa)

    valid = (pixel_id >= first) & (pixel_id < first + n_pixels)
    expected_pixels = np.bincount(pixel_id[valid] - first, minlength=n_pixels)
    np.testing.assert_array_equal(hist.pixel_counts, expected_pixels)

    bins = reference_toa_bins(toa[valid], start, stop, n_bins)
    expected_spectrum = np.bincount(bins[bins >= 0], minlength=n_bins)
    np.testing.assert_array_equal(hist.combo[0], expected_spectrum)
    assert hist.combo[1:].sum() == 0  # no ROI bits set
    # Same answer from np.histogram (no event sits exactly on the top edge here).
    assert not np.any(toa == stop)
    np_hist, _ = np.histogram(toa[valid], bins=np.linspace(start, stop, n_bins + 1))
    np.testing.assert_array_equal(hist.combo[0], np_hist)

    assert hist.bad_pixels == int((~valid).sum())
    assert hist.out_of_range == int((bins < 0).sum())
    assert hist.bad_pixels + hist.out_of_range + hist.combo.sum() == len(toa)


def test_toa_binning_is_exact_at_every_bin_boundary():
    # One pulse in ns: the width is not a multiple of the bin count.
    start, stop, n_bins = 250, 250 + 71_428_571, 100
    hist = PixelHistogrammer(1, 0, SpectralBinning(start, stop, n_bins))
    k = np.arange(1, n_bins)
    lower = start + -(-(k * (stop - start)) // n_bins)  # first ns of bin k (ceil)
    toa = np.concatenate([lower, lower - 1, [start, stop - 1]]).astype(np.int64)
    hist.add(np.zeros(len(toa), dtype=np.int32), toa)
    expected = np.zeros(n_bins, dtype=np.int64)
    np.add.at(expected, k, 1)  # lower edges
    np.add.at(expected, k - 1, 1)  # one ns before
    expected[0] += 1
    expected[-1] += 1
    np.testing.assert_array_equal(hist.combo[0], expected)
    assert hist.out_of_range == 0


def test_events_on_or_beyond_the_range_ends_are_out_of_range():
    hist = PixelHistogrammer(1, 0, SpectralBinning(100, 200, 10))
    toa = np.array([99, 100, 199, 200, -5, 2**31 - 1], dtype=np.int32)
    hist.add(np.zeros(6, dtype=np.int32), toa)
    assert hist.combo[0, 0] == 1
    assert hist.combo[0, 9] == 1
    assert hist.combo.sum() == 2
    assert hist.out_of_range == 4
    assert hist.pixel_counts[0] == 6  # the image has no TOA limit by default


def test_huge_toa_with_a_narrow_range_does_not_overflow_into_a_bin():
    # Regression: (toa - start) * mult overflowed int64 and landed in a bin.
    hist = PixelHistogrammer(2, 1, SpectralBinning(0, 1_000, 10_000))
    hist.add(np.array([1, 2], dtype=np.int32), np.array([5, 2**31 - 1], np.int32))
    assert hist.combo.sum() == 1
    assert hist.combo[0, 50] == 1
    assert hist.out_of_range == 1


def test_out_of_range_pixel_ids_are_counted_not_stored():
    hist = PixelHistogrammer(4, 100, SpectralBinning(0, 1_000, 10))
    pixel_id = np.array([99, 100, 103, 104, -1, 2**31 - 1], dtype=np.int32)
    hist.add(pixel_id, np.full(6, 500, dtype=np.int32))
    np.testing.assert_array_equal(hist.pixel_counts, [1, 0, 0, 1])
    assert hist.bad_pixels == 4
    assert hist.combo.sum() == 2


def test_roi_bit_combinations_select_combo_rows():
    hist = PixelHistogrammer(4, 0, SpectralBinning(0, 400, 4))
    hist.roi_bits[:] = [0b0000_0001, 0b0000_0011, 0b0001_0000, 0b1000_0001]
    pixel_id = np.array([0, 1, 1, 2, 3, 3, 3], dtype=np.int32)
    toa = np.array([0, 150, 160, 399, 250, 260, 50], dtype=np.int32)
    hist.add(pixel_id, toa)
    assert hist.combo.shape == (N_ROI_COMBOS, 4)
    assert hist.combo[0b1, 0] == 1
    assert hist.combo[0b11, 1] == 2
    assert hist.combo[0b1_0000, 3] == 1
    assert hist.combo[0b1000_0001, 2] == 2
    assert hist.combo[0b1000_0001, 0] == 1
    assert hist.combo.sum() == 7
    # Spectrum of ROI 0 = rows with bit 0 set.
    rows = np.arange(N_ROI_COMBOS)
    roi0 = hist.combo[(rows & 1) == 1].sum(axis=0)
    np.testing.assert_array_equal(roi0, [2, 2, 2, 0])


def test_image_toa_range_limits_the_image_but_not_the_spectrum():
    hist = PixelHistogrammer(
        2, 0, SpectralBinning(0, 1_000, 10), image_toa_range_ns=(200.0, 500.0)
    )
    toa = np.array([100, 199, 200, 499, 500, 900], dtype=np.int32)
    hist.add(np.array([0, 0, 1, 1, 1, 0], dtype=np.int32), toa)
    np.testing.assert_array_equal(hist.pixel_counts, [0, 2])
    assert hist.combo.sum() == 6


def test_transformed_mode_matches_a_float_reference():
    rng = np.random.default_rng(2)
    n_pixels, first = 30, 1
    scale = rng.uniform(1e-7, 2e-7, n_pixels)
    offset = rng.uniform(-0.1, 0.1, n_pixels)
    binning = SpectralBinning(0.5, 10.0, 40, scale, offset)
    hist = PixelHistogrammer(n_pixels, first, binning)
    pixel_id, toa = random_events(
        rng, 10_000, first=first, n_pixels=n_pixels, toa_low=0, toa_high=71_000_000
    )
    hist.add(pixel_id, toa)
    valid = (pixel_id >= first) & (pixel_id < first + n_pixels)
    p = pixel_id[valid] - first
    x = (scale[p] * toa[valid].astype(float) + offset[p] - 0.5) * (40 / 9.5)
    inside = (x >= 0) & (x < 40)
    expected = np.bincount(x[inside].astype(np.int64), minlength=40)
    np.testing.assert_array_equal(hist.combo[0], expected)
    assert hist.out_of_range == int((~inside).sum())
    assert hist.bad_pixels == int((~valid).sum())
    np.testing.assert_array_equal(hist.pixel_counts, np.bincount(p, minlength=n_pixels))


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_read_only_zero_copy_arrays_are_accepted(dtype):
    pixel_id = np.array([1, 2, 2], dtype=dtype)
    toa = np.array([10, 20, 30], dtype=dtype)
    pixel_id.flags.writeable = False
    toa.flags.writeable = False
    hist = PixelHistogrammer(2, 1, SpectralBinning(0, 100, 10))
    hist.add(pixel_id, toa)
    np.testing.assert_array_equal(hist.pixel_counts, [1, 2])
    np.testing.assert_array_equal(hist.combo[0, 1:4], [1, 1, 1])


def test_clear_zeroes_the_window_and_keeps_roi_bits():
    hist = PixelHistogrammer(2, 0, SpectralBinning(0, 100, 10))
    hist.roi_bits[1] = 1
    hist.add(np.array([0, 1], dtype=np.int32), np.array([5, 15], dtype=np.int32))
    hist.clear()
    assert hist.pixel_counts.sum() == 0
    assert hist.combo.sum() == 0
    assert hist.roi_bits[1] == 1
    hist.add(np.array([1], dtype=np.int32), np.array([15], dtype=np.int32))
    assert hist.combo[1, 1] == 1
