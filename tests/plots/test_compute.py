"""Stage 1 (compute): masks, log scale, downsampling, curves, windows, slices."""

import math

import numpy as np
import pytest
import scipp as sc

from livedata.plots import compute
from livedata.plots.specs import plotter

from .helpers import T0, image, spectrum


def params(name, **values):
    return plotter(name).validate(values)


def with_time(da, ns):
    da = da.copy()
    da.coords["time"] = sc.scalar(ns, unit="ns")
    return da


def test_image_masks_become_nan_and_log_drops_non_positive():
    values = np.arange(12.0).reshape(3, 4)
    da = image(values)
    da.masks["hot"] = sc.array(dims=["x"], values=[False, True, False, False])
    state = compute.image([("p", with_time(da, T0))], params("image"))
    assert np.isnan(state.values[:, 1]).all()
    assert state.values[0, 0] == 0.0
    assert (state.low, state.high) == (0.0, 11.0)
    assert state.x_range == pytest.approx((-0.5, 0.5))
    assert state.x_label == "x [m]" and state.unit == "counts"
    assert state.time_ms == T0 / 1e6
    logged = compute.image([("p", da)], params("image", color_scale="log"))
    assert np.isnan(logged.values[0, 0])  # zero cannot be drawn in log
    assert logged.low == 2.0  # smallest positive, unmasked
    assert logged.log and math.isnan(logged.time_ms)


def test_large_images_are_averaged_down_to_screen_size():
    values = np.ones((2048, 1100))
    values[:2, :2] = 5.0
    state = compute.image([("p", image(values))], params("image"))
    assert state.downsampled == 2
    assert state.values.shape == (1024, 550)
    assert state.values[0, 0] == 5.0
    assert state.values.dtype == np.float32
    assert state.x_range == pytest.approx((-0.5, 0.5))  # extent kept


def test_lines_one_curve_per_source_and_per_roi():
    a = compute.lines(
        [("m1", spectrum([1, 2, 3])), ("m2", spectrum([4, 5, 6]))], params("lines")
    )
    assert [c.label for c in a.curves] == ["m1", "m2"]
    assert a.curves[0].x.tolist() == pytest.approx([71 / 6, 71 / 2, 71 * 5 / 6])
    assert a.y_range == (1.0, 6.0)
    rois = sc.concat([spectrum([1, 2]), spectrum([3, 4])], "roi")
    b = compute.lines([("p", rois)], params("lines"))
    assert [c.label for c in b.curves] == ["p roi 0", "p roi 1"]


def test_timeseries_keeps_the_window_and_uses_ms_since_epoch():
    t = np.array([0, 100, 200, 290], dtype="int64") * 1_000_000_000 + T0
    da = sc.DataArray(
        sc.array(dims=["time"], values=[1.0, 2.0, 3.0, 4.0], unit="K"),
        coords={"time": sc.array(dims=["time"], values=t.astype("datetime64[ns]"))},
    )
    state = compute.timeseries([("temp", da)], params("timeseries", window_s=150))
    assert state.datetime_x
    assert state.curves[0].y.tolist() == [3.0, 4.0]
    assert state.curves[0].x[-1] == t[-1] / 1e6
    assert state.y_label == "K"


def test_slicer_takes_one_index_and_sums_the_rest_to_two_dims():
    da = sc.DataArray(
        sc.array(
            dims=["arc", "tube", "channel", "pixel"],
            values=np.ones((5, 3, 9, 4)),
            unit="counts",
        )
    )
    da.values[2] *= 7
    state = compute.slicer([("d", da)], params("slicer", index=2))
    assert state.values.shape == (9, 4)
    assert state.values[0, 0] == 21.0  # 3 tubes x 7
    assert state.slice_note == "arc = 2 of 5"
    with pytest.raises(ValueError, match="no dim 'q'"):
        compute.slicer([("d", da)], params("slicer", slice_dim="q"))


def test_number_bars_and_table_of_scalars():
    frames = [
        ("a", with_time(sc.DataArray(sc.scalar(1500.0, unit="counts")), T0)),
        ("b", sc.DataArray(sc.scalar(500.0, unit="counts"))),
    ]
    number = compute.number(frames, params("number"))
    assert number.text == "2,000" and number.unit == "counts"
    assert number.parts == (("a", "1500"), ("b", "500"))
    bars = compute.bars(frames, params("bars"))
    assert bars.labels == ("a", "b") and bars.values.tolist() == [1500.0, 500.0]
    table = compute.table(frames, params("table"))
    assert table.rows[0][:3] == ("a", "1500", "counts")
    assert table.rows[0][3].startswith("2023-11-14")


def test_wrong_dims_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="image needs 2 dims"):
        compute.image([("m", spectrum([1, 2]))], params("image"))
