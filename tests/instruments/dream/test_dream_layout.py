"""DREAM layout: realistic banks, consistent with the DetectorConfigs in the specs."""

import numpy as np

from livedata.instruments.dream import banks
from livedata.instruments.dream.layout import layout, two_theta_deg


def test_banks_match_detector_configs():
    the_layout = layout()
    assert the_layout.source_position == (0.0, 0.0, -76.55)
    assert the_layout.sample_position == (0.0, 0.0, 0.0)
    for config in banks.BANKS:
        bank = the_layout.bank(config.name)
        assert bank.dims == config.dims
        assert bank.shape == config.shape
        np.testing.assert_array_equal(bank.detector_number, config.detector_numbers())


def test_detector_numbers_are_unique_across_banks():
    numbers = np.concatenate([b.detector_number.ravel() for b in layout().banks])
    assert np.unique(numbers).size == numbers.size


def test_banks_cover_dream_scattering_angles():
    angles = {b.name: two_theta_deg(b.positions) for b in layout().banks}
    assert 40 < angles["mantle_detector"].min() < angles["mantle_detector"].max() < 140
    assert angles["endcap_forward_detector"].max() < 45
    assert angles["endcap_backward_detector"].min() > 140
    assert 150 < angles["high_resolution_detector"].mean() < 170


def test_mantle_is_a_cylinder_around_the_beam():
    positions = layout().bank("mantle_detector").positions
    radius = np.hypot(positions[..., 0], positions[..., 1])
    assert radius.min() >= 1.1 and radius.max() <= 1.4


def test_monitors_are_on_the_beam_before_the_sample():
    monitors = {m.name: m.position for m in layout().monitors}
    assert set(monitors) == set(banks.MONITORS)
    for name, (x, y, z) in monitors.items():
        assert x == y == 0.0
        assert z == -76.55 + banks.MONITORS[name]


def test_banks_have_the_real_sizes_and_detector_number_ranges():
    """Sizes of essdiffraction's DETECTOR_BANK_SIZES; first/last real numbers."""
    from ess.dream.workflows import DETECTOR_BANK_SIZES

    ranges = {
        "mantle_detector": (229_377, 720_896),
        "endcap_backward_detector": (71_681, 229_376),
        "endcap_forward_detector": (1, 71_680),
        "high_resolution_detector": (1_122_337, 1_523_680),
        "sans_detector": (1_523_681, 1_589_216),
    }
    for bank in layout().banks:
        sizes = DETECTOR_BANK_SIZES[bank.name]
        assert bank.dims == tuple(sizes)
        for dim, size in zip(bank.dims, bank.shape, strict=True):
            assert sizes[dim] in (size, -1)
        numbers = bank.detector_number
        assert (int(numbers.min()), int(numbers.max())) == ranges[bank.name]
    assert layout().pixel_count == 1_187_776
