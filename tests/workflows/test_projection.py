"""Pixel -> screen tables: geometric (with replicas) and logical views."""

import numpy as np
import pytest
import scipp as sc

from livedata.workflows.projection import (
    ScreenProjection,
    geometric_projection,
    logical_projection,
    synthetic_panel_positions,
)


def test_synthetic_panel_positions_are_pixel_centres_in_row_major_order():
    pos = synthetic_panel_positions(4, 6, width_m=1.2, distance_m=3.0)
    assert pos.dims == ("y", "x")
    assert pos.shape == (4, 6)
    assert pos.unit == sc.Unit("m")
    values = pos.values
    np.testing.assert_allclose(values[0, :, 0], [-0.5, -0.3, -0.1, 0.1, 0.3, 0.5])
    # Rows have their own pitch (1.2 m / 4): centres at +-0.15 and +-0.45.
    np.testing.assert_allclose(values[:, 0, 1], [-0.45, -0.15, 0.15, 0.45])
    np.testing.assert_allclose(values[..., 2], 3.0)
    flat = pos.flatten(to="pixel").values
    np.testing.assert_allclose(flat[7], [-0.3, -0.15, 3.0])  # row 1, column 1


def _panel_projection(replicas=4, noise=None, resolution=(4, 6)):
    return geometric_projection(
        synthetic_panel_positions(4, 6, width_m=1.2, distance_m=3.0),
        first_pixel_id=5,
        kind="xy_plane",
        resolution=resolution,
        replicas=replicas,
        noise_sigma=noise,
    )


def test_geometric_xy_projection_with_replicas_conserves_every_pixel():
    proj = _panel_projection(replicas=4, resolution=(8, 10))
    assert proj.lut.shape == (24, 4)
    assert proj.lut.dtype == np.int32
    assert (proj.n_pixels, proj.n_replicas, proj.n_screen) == (24, 4, 80)
    assert proj.first_pixel_id == 5
    assert proj.dims == ("y", "x")
    assert np.all((proj.lut >= 0) & (proj.lut < 80))
    for pixel in range(24):
        counts = np.zeros(24)
        counts[pixel] = 8
        image = proj.image(counts)
        assert image.shape == (8, 10)
        assert image.sum() == pytest.approx(8.0)
        assert image.min() >= 0
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 1000, 24)
    assert proj.image(counts).sum() == pytest.approx(counts.sum())


def test_geometric_edges_hold_the_nominal_pixel_positions():
    proj = _panel_projection(replicas=4, resolution=(8, 10))
    pos = synthetic_panel_positions(4, 6, width_m=1.2, distance_m=3.0)
    flat = pos.flatten(to="pixel").values
    np.testing.assert_allclose(proj.pixel_coords["x"], flat[:, 0])
    np.testing.assert_allclose(proj.pixel_coords["y"], flat[:, 1])
    ey, ex = proj.edges["y"], proj.edges["x"]
    assert ey.unit == sc.Unit("m") and ex.unit == sc.Unit("m")
    assert ey.sizes == {"y": 9} and ex.sizes == {"x": 11}
    iy, ix = np.divmod(proj.lut[:, 0], 10)
    assert np.all(ey.values[iy] <= proj.pixel_coords["y"])
    assert np.all(proj.pixel_coords["y"] < ey.values[iy + 1])
    assert np.all(ex.values[ix] <= proj.pixel_coords["x"])
    assert np.all(proj.pixel_coords["x"] < ex.values[ix + 1])


def test_noiseless_projection_on_the_pixel_grid_reproduces_the_counts():
    proj = _panel_projection(replicas=3, noise=sc.scalar(0.0, unit="m"))
    assert np.all(proj.lut == proj.lut[:, :1])  # replicas coincide
    counts = np.arange(24, dtype=float)
    np.testing.assert_allclose(proj.image(counts), counts.reshape(4, 6))


def test_cylinder_projection_uses_z_and_arc_length():
    proj = geometric_projection(
        synthetic_panel_positions(4, 6),
        first_pixel_id=1,
        kind="cylinder_mantle_z",
        resolution=(5, 7),
        replicas=2,
    )
    assert proj.dims == ("z", "arc_length")
    assert proj.shape == (5, 7)
    assert proj.lut.shape == (24, 2)
    assert proj.image(np.ones(24)).sum() == pytest.approx(24.0)


def test_unknown_projection_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown projection"):
        geometric_projection(
            synthetic_panel_positions(2, 2),
            first_pixel_id=1,
            kind="sphere",
            resolution=(2, 2),
        )


def test_logical_view_folds_detector_numbers_into_rows_and_columns():
    proj = logical_projection((4, 6), first_pixel_id=1)
    assert proj.shape == (4, 6)
    assert proj.lut.shape == (24, 1)
    counts = np.arange(24, dtype=float)
    np.testing.assert_array_equal(proj.image(counts), counts.reshape(4, 6))
    assert proj.edges["x"].unit is None
    np.testing.assert_array_equal(proj.edges["x"].values, np.arange(7) - 0.5)
    np.testing.assert_array_equal(proj.pixel_coords["y"][6:8], [1.0, 1.0])
    np.testing.assert_array_equal(proj.pixel_coords["x"][6:8], [0.0, 1.0])


def test_logical_view_downsampling_sums_blocks():
    proj = logical_projection((4, 6), first_pixel_id=1, downsample=2)
    assert proj.shape == (2, 3)
    counts = np.arange(24, dtype=float)
    expected = counts.reshape(2, 2, 3, 2).sum(axis=(1, 3))
    np.testing.assert_array_equal(proj.image(counts), expected)
    np.testing.assert_array_equal(proj.edges["y"].values, [-0.5, 1.5, 3.5])


@pytest.mark.parametrize("downsample", [0, 4, 5])
def test_logical_view_rejects_a_downsample_that_does_not_divide(downsample):
    with pytest.raises(ValueError, match="downsample"):
        logical_projection((4, 6), first_pixel_id=1, downsample=downsample)


def test_off_screen_replicas_drop_their_share():
    proj = ScreenProjection(
        lut=np.array([[0, -1], [1, 1]], dtype=np.int32),
        first_pixel_id=0,
        dims=("y", "x"),
        shape=(1, 2),
        edges={},
        pixel_coords={},
    )
    np.testing.assert_allclose(proj.image(np.array([4.0, 6.0])), [[2.0, 6.0]])
