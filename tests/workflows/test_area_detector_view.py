"""Area detector view: camera frames (real ad00 bytes) summed into images."""

import numpy as np
import pytest
import scipp as sc
from pydantic import ValidationError
from streaming_data_types import area_detector_ad00

from livedata.core.timestamp import Timestamp
from livedata.kafka.ad00_compat import ad00_to_scipp
from livedata.workflows.area_detector_spec import AreaDetectorParams
from livedata.workflows.area_detector_view import AreaDetectorViewWorkflow

T0, T1 = Timestamp(0), Timestamp(1)


def frame(values: np.ndarray) -> sc.DataArray:
    """A frame as the service gets it: through serialised ad00."""
    payload = area_detector_ad00.serialise_ad00("cam", 1, 123, values)
    return ad00_to_scipp(area_detector_ad00.deserialise_ad00(payload))


def make_view(downsample=1, shape=(4, 6)):
    return AreaDetectorViewWorkflow(
        source_name="cam",
        shape=shape,
        params=AreaDetectorParams(downsample=downsample),
    )


def feed(view, data):
    view.accumulate(data, start_time=T0, end_time=T1)


def test_frames_accumulate_into_current_and_cumulative():
    view = make_view()
    a = np.arange(24, dtype=np.uint16).reshape(4, 6)
    b = np.full((4, 6), 2, dtype=np.uint16)
    feed(view, {"cam": frame(a)})
    out = view.finalize()
    np.testing.assert_array_equal(out["current"].values, a)
    np.testing.assert_array_equal(out["cumulative"].values, a)
    assert out["counts_total"].value == 276.0
    assert out["current"].dims == ("dim_0", "dim_1")
    assert out["current"].unit == sc.Unit("counts")

    assert sc.identical(view.finalize()["cumulative"], out["cumulative"])

    feed(view, {"cam": frame(b)})
    out = view.finalize()
    np.testing.assert_array_equal(out["current"].values, b)
    np.testing.assert_array_equal(out["cumulative"].values, a + b)
    assert out["counts_total"].value == 48.0

    feed(view, {})  # no frame in this batch
    out = view.finalize()
    assert out["current"].values.sum() == 0
    np.testing.assert_array_equal(out["cumulative"].values, a + b)

    view.clear()
    assert view.finalize()["cumulative"].values.sum() == 0


def test_downsampling_sums_blocks_and_scales_the_pixel_coords():
    view = make_view(downsample=2)
    a = np.arange(24, dtype=np.uint16).reshape(4, 6)
    feed(view, {"cam": frame(a)})
    image = view.finalize()["current"]
    assert image.shape == (2, 3)
    np.testing.assert_array_equal(image.values, a.reshape(2, 2, 3, 2).sum(axis=(1, 3)))
    np.testing.assert_array_equal(image.coords["dim_1"].values, [0, 2, 4])
    assert image.coords["dim_0"].unit is None


def test_a_frame_of_the_wrong_shape_is_rejected():
    view = make_view()
    with pytest.raises(ValueError, match="does not match"):
        feed(view, {"cam": frame(np.ones((6, 4), dtype=np.uint16))})
    assert view.finalize()["counts_total"].value == 0


def test_downsample_must_divide_the_shape():
    with pytest.raises(ValueError, match="does not divide"):
        make_view(downsample=4)
    with pytest.raises(ValidationError):
        AreaDetectorParams(downsample=0)
