"""Images fitted to a session's plot: block sizes from pixels and zoom, NaN-aware
block means, one computation per frame shared by every session."""

import math

import numpy as np
import pytest

from livedata.plots import compute
from livedata.plots.presenters import ImagePresenter
from livedata.plots.screen_fit import block_mean, fitted, screen_factors
from livedata.plots.specs import plotter

from .helpers import image

FULL = ((0.0, 512.0), (0.0, 512.0))


def test_a_short_wide_plot_averages_rows_only():
    # 512 x 512 bins in a plot 653 pixels wide and 140 high: 3 rows a pixel.
    assert screen_factors((512, 512), FULL, FULL, (653, 140)) == (3, 1)


def test_zooming_in_gives_back_every_bin():
    quarter = ((0.0, 128.0), (0.0, 128.0))
    assert screen_factors((512, 512), FULL, quarter, (653, 140)) == (1, 1)
    # Zoomed out beyond the image, still a block per pixel of the image.
    wide = ((-512.0, 1024.0), (-512.0, 1024.0))
    assert screen_factors((512, 512), FULL, wide, (100, 100)) == (5, 5)


@pytest.mark.parametrize("pixels", [(None, None), (0, 0)])
def test_before_the_browser_reports_a_size_nothing_is_averaged(pixels):
    assert screen_factors((512, 512), FULL, FULL, pixels) == (1, 1)


def test_block_means_ignore_nan_and_keep_all_nan_blocks_transparent():
    values = np.array(
        [[1.0, 3.0, np.nan], [np.nan, 5.0, np.nan], [7.0, 9.0, 2.0]], np.float32
    )
    out = block_mean(values, 2, 2)
    assert out.dtype == np.float32 and out.shape == (2, 2)
    assert out[0, 0] == pytest.approx(3.0)  # (1 + 3 + 5) / 3
    assert math.isnan(out[0, 1])  # a masked column stays masked
    assert out[1, 0] == pytest.approx(8.0) and out[1, 1] == pytest.approx(2.0)


def test_one_block_mean_per_frame_and_factor_whatever_the_sessions():
    values = np.arange(16.0, dtype=np.float32).reshape(4, 4)
    cache: dict = {}
    first = fitted(values, (2, 1), cache)
    assert fitted(values, (2, 1), cache) is first
    assert fitted(values, (1, 1), cache) is values
    assert list(cache) == [(2, 1)]


def test_a_presenter_sends_its_plot_a_fitted_image_and_refits_on_zoom():
    values = np.random.default_rng(1).random((512, 512))
    state = compute.image([("p", image(values))], plotter("image").validate({}))
    presenter = ImagePresenter(plotter("image").validate({}))
    presenter.render(state)
    assert presenter.source.data["image"][0].shape == (512, 512)  # size unknown
    # The browser reports its plot's size (as a Bokeh server patch would).
    presenter.model.set_from_json("inner_width", 653)
    presenter.model.set_from_json("inner_height", 140)
    assert presenter.source.data["image"][0].shape == (171, 512)
    assert ("mean of", "3x1 bins (zoom in for more)") in presenter.hover.tooltips
    assert math.isnan(presenter.source.data["t"][0])  # a redraw, not a new frame
    other = ImagePresenter(plotter("image").validate({}))
    other.model.set_from_json("inner_width", 653)
    other.model.set_from_json("inner_height", 140)
    other.render(state)  # a second session of the same size shares the mean
    assert other.source.data["image"][0] is presenter.source.data["image"][0]
    x0, x1 = state.x_range
    presenter.model.x_range.set_from_json("end", x0 + (x1 - x0) / 8)
    y0, y1 = state.y_range
    presenter.model.y_range.set_from_json("end", y0 + (y1 - y0) / 8)
    assert presenter.source.data["image"][0].shape == (512, 512)
    assert [name for name, _ in presenter.hover.tooltips] == ["x", "y", "value"]


def test_the_hover_counts_the_bins_the_plotter_averaged_too():
    values = np.ones((2048, 2048))  # capped to 1024 by the plotter: 2x2 bins
    state = compute.image([("p", image(values))], plotter("image").validate({}))
    presenter = ImagePresenter(plotter("image").validate({}))
    presenter.render(state)
    assert ("mean of", "2x2 bins") in presenter.hover.tooltips
    presenter.model.set_from_json("inner_width", 500)
    presenter.model.set_from_json("inner_height", 200)
    assert ("mean of", "10x4 bins (zoom in for more)") in presenter.hover.tooltips
