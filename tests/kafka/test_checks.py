"""Adapters check what they trust: crafted records are dropped and counted per reason."""

from __future__ import annotations

import numpy as np
import pytest
import scipp as sc
from streaming_data_types import dataarray_da00
from streaming_data_types.dataarray_da00 import Variable

from livedata.core.metrics import Counters
from livedata.instruments.dummy.streams import DEV
from livedata.kafka.checks import MAX_POLYGON_VERTICES, MAX_ROI_POINTS
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_service_adapter
from livedata.kafka.wire_builders import ad00_message, ev44_message
from livedata.workflows import roi
from livedata.workflows.histogram_kernel import PixelHistogrammer, SpectralBinning

T0 = 1_785_000_000_000_000_000


def test_ev44_with_more_times_than_pixels_is_dropped_and_counted() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    crafted = ev44_message("dummy_detector", "panel_0", T0, [1], np.arange(50_000))
    assert chain.adapt(crafted) is None
    assert counters.get("invalid_input:ev44_length_mismatch") == 1
    assert counters.get("adapt_errors:dummy_detector") == 1


def test_monitor_ev44_with_a_wrong_number_of_pixels_is_dropped() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    ok = ev44_message("dummy_beam_monitor", "monitor1", T0, None, [1, 2, 3])
    bad = ev44_message("dummy_beam_monitor", "monitor1", T0, [1], [1, 2, 3])
    assert chain.adapt(ok) is not None
    assert chain.adapt(bad) is None
    assert counters.get("invalid_input:ev44_length_mismatch") == 1


def test_ad00_frame_of_one_dim_is_dropped_by_reason() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    raw = ad00_message("dummy_area_detector", "area_panel", T0, np.ones(16, np.int32))
    assert chain.adapt(raw) is None
    assert counters.get("invalid_input:ad00_shape") == 1


def _da00(topic: str, source: str, variables: list[Variable]) -> RawMessage:
    payload = dataarray_da00.serialise_da00(source, T0, variables)
    return RawMessage(topic=topic, value=payload, timestamp_ms=T0 // 1_000_000)


def test_da00_whose_shape_lies_is_dropped_by_reason() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    lying = Variable(
        name="signal", data=np.ones(3), axes=["toa", "y"], shape=(3,), unit="counts"
    )
    assert chain.adapt(_da00("dummy_beam_monitor", "monitor2", [lying])) is None
    assert counters.get("invalid_input:da00_shape") == 1


def test_huge_roi_request_is_dropped_before_any_pixel_selection() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    n = MAX_ROI_POINTS + 1
    variables = [
        Variable(
            name="signal", data=np.full(n, 4, np.int32), axes=["vertex"], shape=(n,)
        ),
        Variable(name="x", data=np.random.rand(n), axes=["vertex"], shape=(n,)),
    ]
    assert chain.adapt(_da00("dummy_livedata_roi", "panel_0/1/roi", variables)) is None
    assert counters.get("invalid_input:roi_too_large") == 1


def test_polygon_bound_is_the_documented_one_and_enforced() -> None:
    assert roi.MAX_POLYGON_VERTICES == MAX_POLYGON_VERTICES
    n = MAX_POLYGON_VERTICES + 1
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    polygon = roi.PolygonROI(4, tuple(np.cos(angle)), tuple(np.sin(angle)))
    da = roi.polygons_to_dataarray([polygon], "m")
    with pytest.raises(ValueError, match="vertices"):
        roi.polygons_from_dataarray(da)


def test_kernel_refuses_vectors_of_different_lengths() -> None:
    hist = PixelHistogrammer(4, 1, SpectralBinning(0.0, 100.0, 10))
    with pytest.raises(ValueError, match="pixel ids"):
        hist.add(np.array([1], np.int32), np.arange(1000, dtype=np.int32))
    assert hist.pixel_counts.sum() == 0


def test_detector_events_of_different_lengths_never_reach_a_workflow() -> None:
    from livedata.core.events import DetectorEvents
    from livedata.core.timestamp import Timestamp
    from livedata.preprocessors.events import EventChunks

    chunks = EventChunks()
    bad = DetectorEvents(np.array([1], np.int32), np.arange(10, dtype=np.int32))
    with pytest.raises(ValueError):
        chunks.add(Timestamp(T0), bad)
    assert sc is not None
