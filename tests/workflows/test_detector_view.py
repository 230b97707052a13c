"""Detector view workflow fed with known events: images, spectra, ROIs, modes."""

import numpy as np
import pytest
import scipp as sc

from livedata.core.events import DetectorEvents
from livedata.core.timestamp import Timestamp
from livedata.workflows.detector_view import (
    DetectorViewWorkflow,
    time_of_flight_transform,
    wavelength_transform,
)
from livedata.workflows.detector_view_spec import DetectorViewParams
from livedata.workflows.neutron import H_OVER_MN
from livedata.workflows.projection import (
    geometric_projection,
    logical_projection,
    synthetic_panel_positions,
)
from livedata.workflows.roi import (
    PolygonROI,
    RectangleROI,
    polygons_to_dataarray,
    rectangles_to_dataarray,
)

T0, T1 = Timestamp(0), Timestamp(1_000_000_000)
FIRST = 1  # first pixel id; the grid is 4 rows x 6 columns
MS = 1_000_000  # ns

# 1 ms bins from 0 to 10 ms: an event at k ms + 0.5 ms lands in bin k.
PARAMS = {"toa_edges": {"start": 0.0, "stop": 10.0, "num_bins": 10}}


def make_view(params=PARAMS, **kwargs):
    return DetectorViewWorkflow(
        source_name="panel",
        projection=logical_projection((4, 6), first_pixel_id=FIRST),
        params=DetectorViewParams.model_validate(params),
        screen_unit=None,
        **kwargs,
    )


def events(pixel_index, toa_ms):
    """Events on pixels (0-based grid index) at time of arrival in ms."""
    return DetectorEvents(
        pixel_id=np.asarray(pixel_index, dtype=np.int32) + FIRST,
        time_of_arrival=(np.asarray(toa_ms, dtype=float) * MS).astype(np.int32),
    )


def feed(view, data):
    view.accumulate(data, start_time=T0, end_time=T1)


def image_of(pixel_index):
    return np.bincount(pixel_index, minlength=24).reshape(4, 6).astype(float)


def test_current_and_cumulative_across_finalize_calls():
    view = make_view()
    a = [0, 0, 5, 23]
    b = [5, 7]
    feed(view, {"panel": events(a, [0.5] * 4)})
    out = view.finalize()
    np.testing.assert_array_equal(out["current"].values, image_of(a))
    np.testing.assert_array_equal(out["cumulative"].values, image_of(a))
    assert out["counts_total"].value == 4
    assert out["counts_total_cumulative"].value == 4

    again = view.finalize()  # finalize does not change state
    assert sc.identical(again["cumulative"], out["cumulative"])
    assert again["counts_total"].value == 4

    feed(view, {"panel": (events(b[:1], [1.5]), events(b[1:], [2.5]))})
    out = view.finalize()
    np.testing.assert_array_equal(out["current"].values, image_of(b))
    np.testing.assert_array_equal(out["cumulative"].values, image_of(a + b))
    assert out["counts_total"].value == 2
    assert out["counts_total_cumulative"].value == 6

    feed(view, {})  # a batch without events: empty window, cumulative kept
    out = view.finalize()
    assert out["current"].values.sum() == 0
    assert out["counts_total"].value == 0
    assert out["counts_total_cumulative"].value == 6

    view.clear()
    out = view.finalize()
    assert out["cumulative"].values.sum() == 0
    assert out["counts_total_cumulative"].value == 0


def test_images_carry_poisson_variances_and_screen_edges():
    view = make_view()
    feed(view, {"panel": events([3, 3, 3], [0.5, 0.5, 0.5])})
    image = view.finalize()["current"]
    assert image.dims == ("y", "x")
    assert image.unit == sc.Unit("counts")
    np.testing.assert_array_equal(image.variances, image.values)
    np.testing.assert_array_equal(image.coords["x"].values, np.arange(7) - 0.5)
    assert image.coords["x"].unit is None


def test_spectrum_current_bins_time_of_arrival_in_ms():
    view = make_view()
    feed(view, {"panel": events([0, 1, 2, 3, 4], [0.5, 0.5, 3.2, 9.9, 12.0])})
    spectrum = view.finalize()["spectrum_current"]
    assert spectrum.dims == ("time_of_arrival",)
    assert spectrum.unit == sc.Unit("counts")
    edges = spectrum.coords["time_of_arrival"]
    assert edges.unit == sc.Unit("ms")
    np.testing.assert_allclose(edges.values, np.arange(11.0))
    np.testing.assert_array_equal(spectrum.values, [2, 0, 0, 1, 0, 0, 0, 0, 0, 1])
    assert view.dropped_events == {"bad_pixel_id": 0, "out_of_range": 1}
    # The image keeps the event beyond the spectral range.
    assert view.finalize()["counts_total"].value == 5


def test_bad_pixel_ids_are_counted_and_dropped():
    view = make_view()
    bad = DetectorEvents(
        pixel_id=np.array([0, 25, 1], dtype=np.int32),
        time_of_arrival=np.array([MS, MS, MS], dtype=np.int32),
    )
    feed(view, {"panel": bad})
    assert view.finalize()["counts_total"].value == 1
    assert view.dropped_events["bad_pixel_id"] == 2


def rect(index, x, y, unit=None):
    return rectangles_to_dataarray([RectangleROI(index, x, y)], unit)


def test_roi_spectra_after_setting_rois_as_context():
    view = make_view()
    out = view.finalize()
    assert out["roi_spectra"].sizes == {"roi": 0, "time_of_arrival": 10}
    assert out["roi_rectangle"].sizes == {"bounds": 0}

    rectangle = rect(0, (0.5, 2.5), (-0.5, 0.5))  # row 0, columns 1 and 2
    triangle = polygons_to_dataarray(
        [PolygonROI(4, (-0.5, 1.5, -0.5), (0.5, 0.5, 2.5))], None
    )  # strictly contains pixel 6 (row 1, column 0); no events on its edges
    feed(
        view,
        {
            "roi_rectangle": rectangle,
            "roi_polygon": triangle,
            "panel": events([1, 2, 2, 6, 0, 23], [0.5, 1.5, 1.5, 4.5, 0.5, 0.5]),
        },
    )
    out = view.finalize()
    spectra = out["roi_spectra"]
    assert spectra.dims == ("roi", "time_of_arrival")
    np.testing.assert_array_equal(spectra.coords["roi"].values, [0, 4])
    np.testing.assert_array_equal(spectra.values[0], [1, 2, 0, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(spectra.values[1], [0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(spectra.variances, spectra.values)
    assert sc.identical(out["roi_spectra_current"], spectra)
    assert out["spectrum_current"].values.sum() == 6

    # Next window: current holds only new events, cumulative ROI spectra sum.
    feed(view, {"panel": events([1], [9.5])})
    out = view.finalize()
    np.testing.assert_array_equal(out["roi_spectra_current"].values[0], [0] * 9 + [1])
    np.testing.assert_array_equal(out["roi_spectra"].values[0], [1, 2] + [0] * 7 + [1])
    np.testing.assert_array_equal(out["roi_spectra"].values[1], [0] * 4 + [1] + [0] * 5)


def test_roi_readback_echoes_the_confirmed_rois():
    view = make_view()
    rectangle = rect(2, (0.5, 2.5), (-0.5, 0.5))
    triangle = polygons_to_dataarray(
        [PolygonROI(6, (0.0, 3.0, 0.0), (0.0, 0.0, 2.0))], None
    )
    feed(view, {"roi_rectangle": rectangle, "roi_polygon": triangle})
    out = view.finalize()
    assert sc.identical(out["roi_rectangle"], rectangle)
    assert sc.identical(out["roi_polygon"], triangle)
    # An empty rectangle array removes the rectangles, keeps the polygon.
    feed(view, {"roi_rectangle": rectangles_to_dataarray([], None)})
    out = view.finalize()
    assert out["roi_rectangle"].sizes == {"bounds": 0}
    np.testing.assert_array_equal(out["roi_spectra"].coords["roi"].values, [6])


def test_changing_the_roi_restarts_roi_spectra_but_not_the_image():
    view = make_view()
    feed(view, {"roi_rectangle": rect(0, (-0.5, 5.5), (-0.5, 3.5))})  # all pixels
    feed(view, {"panel": events([0, 1, 2], [0.5, 0.5, 0.5])})
    assert view.finalize()["roi_spectra"].values.sum() == 3
    feed(view, {"roi_rectangle": rect(0, (-0.5, 0.5), (-0.5, 0.5))})  # pixel 0
    feed(view, {"panel": events([0, 5], [0.5, 0.5])})
    out = view.finalize()
    np.testing.assert_array_equal(out["roi_spectra"].values[0], [1] + [0] * 9)
    assert out["counts_total_cumulative"].value == 5
    assert out["spectrum_current"].values.sum() == 2


def test_invalid_roi_keeps_the_old_rois_and_the_batch_events():
    view = make_view()
    good = rect(1, (-0.5, 0.5), (-0.5, 0.5))
    feed(view, {"roi_rectangle": good})
    bad = rectangles_to_dataarray([RectangleROI(6, (0, 1), (0, 1))], None)
    with pytest.raises(ValueError, match=r"outside 0\.\.3"):
        feed(view, {"roi_rectangle": bad, "panel": events([0, 0], [0.5, 0.5])})
    out = view.finalize()
    assert out["counts_total"].value == 2
    assert sc.identical(out["roi_rectangle"], good)
    np.testing.assert_array_equal(out["roi_spectra"].values[0], [2] + [0] * 9)


def _metre_view():
    projection = geometric_projection(
        synthetic_panel_positions(4, 6, width_m=1.2, distance_m=3.0),
        first_pixel_id=FIRST,
        kind="xy_plane",
        resolution=(4, 6),
        replicas=1,
    )
    return DetectorViewWorkflow(
        source_name="panel",
        projection=projection,
        params=DetectorViewParams.model_validate(PARAMS),
    )


def test_roi_in_mm_is_converted_to_the_screen_unit():
    view = _metre_view()
    # x in [-0.4, -0.2] m: column 1 (x = -0.3); y in [-0.6, -0.3] m: row 0.
    roi = rect(0, (-400.0, -200.0), (-600.0, -300.0), unit="mm")
    feed(view, {"roi_rectangle": roi, "panel": events([1, 1, 0, 7], [0.5] * 4)})
    out = view.finalize()
    assert out["roi_spectra"].values.sum() == 2
    readback = out["roi_rectangle"]
    assert readback.coords["x"].unit == sc.Unit("m")
    np.testing.assert_allclose(readback.coords["x"].values, [-0.4, -0.2])
    np.testing.assert_allclose(readback.coords["y"].values, [-0.6, -0.3])


def test_roi_with_an_incompatible_unit_is_rejected():
    view = _metre_view()
    with pytest.raises(ValueError, match="ROI coord x"):
        feed(view, {"roi_rectangle": rect(0, (0.0, 1.0), (0.0, 1.0), unit="s")})
    assert view.finalize()["roi_rectangle"].sizes == {"bounds": 0}


def test_toa_range_limits_the_image_only():
    params = {**PARAMS, "toa_range": {"enabled": True, "low": 2.0, "high": 4.0}}
    view = make_view(params)
    feed(view, {"panel": events([0, 1, 2, 3], [1.5, 2.5, 3.5, 4.5])})
    out = view.finalize()
    np.testing.assert_array_equal(out["current"].values.ravel()[:4], [0, 1, 1, 0])
    assert out["counts_total"].value == 2
    assert out["spectrum_current"].values.sum() == 4


def test_wavelength_transform_is_h_over_mn_times_toa_over_length():
    scale, offset = wavelength_transform(np.array([20.0, 40.0]))
    # 10 ms over 20 m is 2000 m/s, i.e. 3956.034 / 2000 = 1.978 Å.
    assert scale[0] * 10 * MS == pytest.approx(1.978017, rel=1e-6)
    assert scale[1] == pytest.approx(scale[0] / 2)
    np.testing.assert_array_equal(offset, [0.0, 0.0])
    assert pytest.approx(3.956034e-7) == H_OVER_MN


def test_wavelength_mode_gives_a_converted_coordinate():
    params = {
        "coordinate_mode": "wavelength",
        "wavelength_edges": {"start": 1.0, "stop": 3.0, "num_bins": 4},
    }
    flight_path = np.full(24, 20.0)
    view = make_view(params, wavelength=wavelength_transform(flight_path))
    # 10 ms -> 1.978 Å (bin 1: 1.5-2.0), 12 ms -> 2.374 Å (bin 2: 2.0-2.5).
    feed(view, {"panel": events([0, 1, 2], [10.0, 12.0, 12.0])})
    spectrum = view.finalize()["spectrum_current"]
    assert spectrum.dims == ("wavelength",)
    edges = spectrum.coords["wavelength"]
    assert edges.unit == sc.Unit("angstrom")
    np.testing.assert_allclose(edges.values, [1.0, 1.5, 2.0, 2.5, 3.0])
    np.testing.assert_array_equal(spectrum.values, [0, 1, 2, 0])
    assert view.finalize()["roi_spectra"].dims == ("roi", "wavelength")


def test_wavelength_mode_without_flight_paths_is_refused():
    with pytest.raises(ValueError, match="flight paths"):
        make_view({"coordinate_mode": "wavelength"})


def test_time_of_flight_mode_without_flight_paths_is_refused():
    with pytest.raises(ValueError, match="flight paths"):
        make_view({"coordinate_mode": "time_of_flight"})


def test_time_of_flight_equals_arrival_time_without_choppers():
    params = {
        "coordinate_mode": "time_of_flight",
        "tof_edges": {"start": 0.0, "stop": 40.0, "num_bins": 4},
    }
    flight_path = np.full(24, 20.0)
    view = make_view(
        params,
        wavelength=wavelength_transform(flight_path),
        flight_path_m=flight_path,
    )
    feed(view, {"panel": events([0, 1, 2], [5.0, 12.0, 35.0])})
    spectrum = view.finalize()["spectrum_current"]
    assert spectrum.dims == ("time_of_flight",)
    assert spectrum.coords["time_of_flight"].unit == sc.Unit("ms")
    np.testing.assert_array_equal(spectrum.values, [1, 1, 0, 1])


def test_time_of_flight_follows_a_chopper_aware_wavelength_transform():
    # A chopper 8 ms after the pulse start acts as the source: every neutron's
    # flight begins then, so time of flight = toa - 8 ms whatever the pixel.
    flight_path = np.linspace(20.0, 30.0, 24)
    scale, _ = wavelength_transform(flight_path)
    offset = -scale * 8 * MS
    tof_scale, tof_offset = time_of_flight_transform((scale, offset), flight_path)
    np.testing.assert_allclose(tof_scale, 1.0)
    np.testing.assert_allclose(tof_offset, -8 * MS)


def test_toa_edges_given_in_microseconds_bin_like_the_same_edges_in_ms():
    in_us = make_view({"toa_edges": {"stop": 10_000, "num_bins": 10, "unit": "us"}})
    in_ms = make_view()
    batch = {"panel": events([0, 1, 2, 3], [0.5, 3.2, 9.9, 12.0])}
    feed(in_us, batch)
    feed(in_ms, batch)
    us, ms = in_us.finalize()["spectrum_current"], in_ms.finalize()["spectrum_current"]
    np.testing.assert_array_equal(us.values, ms.values)
    edges = us.coords["time_of_arrival"]
    assert edges.unit == sc.Unit("us")
    np.testing.assert_allclose(edges.values, np.arange(11) * 1000.0)
    assert in_us.dropped_events["out_of_range"] == 1


def test_dropped_events_are_handed_out_once_as_increments():
    view = make_view()
    feed(view, {"panel": events([0, 1], [0.5, 12.0])})
    bad = DetectorEvents(
        pixel_id=np.array([0, 99], dtype=np.int32),
        time_of_arrival=np.array([MS, MS], dtype=np.int32),
    )
    feed(view, {"panel": bad})
    assert view.take_dropped_events() == {"bad_pixel_id": 2, "out_of_range": 1}
    assert view.take_dropped_events() == {"bad_pixel_id": 0, "out_of_range": 0}
    feed(view, {"panel": events([2], [11.0])})
    assert view.take_dropped_events() == {"bad_pixel_id": 0, "out_of_range": 1}


def test_flight_time_of_a_one_angstrom_neutron():
    from livedata.workflows.neutron import flight_time_ns

    # v = h / (m_n * lambda) = 3956.034 m/s for 1 Å: 3.956034 m take 1 ms.
    assert flight_time_ns(1.0, 3.956034) == pytest.approx(1e6)
    assert flight_time_ns(np.array([1.0, 2.0]), 10.0)[1] == pytest.approx(
        5.0556e6, rel=1e-4
    )
