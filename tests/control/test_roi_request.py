"""The client's ROI model: validation, the docs/wire.md layout, throttle, readback."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipp as sc
from streaming_data_types import dataarray_da00

from livedata.control.roi import (
    MAX_POLYGON_VERTICES,
    Polygon,
    Rectangle,
    RoiError,
    RoiRequest,
    roi_stream_name,
)
from livedata.control.roi_publisher import CoalescingThrottle, RoiPublisher
from livedata.control.roi_readback import RoiReadbackTracker, RoiSync
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.stream import StreamKind
from livedata.kafka.da00_compat import da00_to_scipp, scipp_to_da00
from livedata.workflows.roi import polygons_from_dataarray, rectangles_from_dataarray

TRIANGLE = Polygon((0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def wire_round_trip(da: sc.DataArray) -> sc.DataArray:
    """Through real da00 bytes, as the service receives it."""
    raw = dataarray_da00.serialise_da00(
        source_name="s", timestamp_ns=1, data=scipp_to_da00(da)
    )
    return da00_to_scipp(dataarray_da00.deserialise_da00(raw).data)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Rectangle(1.0, 0.0, 0.0, 1.0), "x0 < x1"),
        (lambda: Rectangle(0.0, 1.0, 1.0, 1.0), "y0 < y1"),
        (lambda: Rectangle(0.0, math.inf, 0.0, 1.0), "finite"),
        (lambda: Rectangle(0.0, float("nan"), 0.0, 1.0), "finite"),
        (lambda: Polygon((0.0, 1.0), (0.0, 1.0)), "at least 3 vertices"),
        (lambda: Polygon((0.0, 1.0, 2.0), (0.0, 1.0)), "3 x but 2 y"),
        (
            lambda: Polygon(
                tuple(range(MAX_POLYGON_VERTICES + 1)),
                tuple(range(MAX_POLYGON_VERTICES + 1)),
            ),
            "at most 1000",
        ),
        (lambda: RoiRequest(rectangles=(Rectangle(0, 1, 0, 1),) * 5), "at most 4"),
        (lambda: RoiRequest(polygons=(TRIANGLE,) * 5), "at most 4"),
    ],
)
def test_bad_shapes_are_refused_with_a_reason(make, words):
    with pytest.raises(RoiError, match=words):
        make()


def test_stream_names_follow_the_wire_contract():
    assert (
        roi_stream_name("panel_0", "abc", "roi_rectangle")
        == "panel_0/abc/roi_rectangle"
    )
    assert roi_stream_name("panel_0", "abc", "roi_polygon") == "panel_0/abc/roi_polygon"
    with pytest.raises(ValueError, match="unknown ROI shape"):
        roi_stream_name("panel_0", "abc", "roi_circle")


def test_request_layout_is_what_the_service_parses():
    request = RoiRequest(
        rectangles=(Rectangle(0.0, 0.5, -0.5, 0.5), Rectangle(-0.2, -0.1, 0.1, 0.3)),
        polygons=(TRIANGLE,),
        unit="mm",
    )
    arrays = {k: wire_round_trip(v) for k, v in request.to_dataarrays().items()}
    rect = arrays["roi_rectangle"]
    assert rect.dims == ("bounds",)
    assert rect.coords["x"].unit == sc.Unit("mm")
    assert rect.coords["roi_index"].values.tolist() == [0, 0, 1, 1]
    parsed = rectangles_from_dataarray(rect)
    assert [(r.index, r.x, r.y) for r in parsed] == [
        (0, (0.0, 0.5), (-0.5, 0.5)),
        (1, (-0.2, -0.1), (0.1, 0.3)),
    ]
    poly = polygons_from_dataarray(arrays["roi_polygon"])
    assert [(p.index, p.x, p.y) for p in poly] == [(4, TRIANGLE.x, TRIANGLE.y)]
    assert RoiRequest.from_dataarrays(rect, arrays["roi_polygon"]) == request


def test_no_roi_is_two_empty_arrays_the_service_reads_as_none():
    arrays = {k: wire_round_trip(v) for k, v in RoiRequest().to_dataarrays().items()}
    assert arrays["roi_rectangle"].sizes == {"bounds": 0}
    assert arrays["roi_polygon"].sizes == {"vertex": 0}
    assert rectangles_from_dataarray(arrays["roi_rectangle"]) == []
    assert polygons_from_dataarray(arrays["roi_polygon"]) == []


def test_same_shapes_converts_units():
    in_m = RoiRequest(rectangles=(Rectangle(0.0, 0.5, -0.5, 0.5),), unit="m")
    in_mm = RoiRequest(rectangles=(Rectangle(0.0, 500.0, -500.0, 500.0),), unit="mm")
    assert in_m.same_shapes(in_mm) and in_mm.same_shapes(in_m)
    moved = RoiRequest(rectangles=(Rectangle(0.0, 0.6, -0.5, 0.5),), unit="m")
    assert not in_m.same_shapes(moved)
    with pytest.raises(RoiError, match="cannot convert"):
        in_m.to("s")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_passes_one_per_interval_and_keeps_the_newest():
    clock = FakeClock()
    throttle: CoalescingThrottle[int] = CoalescingThrottle(0.25, clock)
    assert throttle.offer(1) == (True, 1)
    for value in (2, 3, 4):  # a drag: many edits within the interval
        clock.now += 0.05
        assert throttle.offer(value) == (False, None)
    assert throttle.due() == (False, None)
    clock.now = 0.26
    assert throttle.due() == (True, 4)  # the newest, not 2 or 3
    assert throttle.due() == (False, None)
    clock.now = 0.3
    assert throttle.offer(5) == (False, None)
    assert throttle.flush() == (True, 5)  # release sends at once
    assert not throttle.pending


def rect(x1: float) -> RoiRequest:
    return RoiRequest(rectangles=(Rectangle(0.0, x1, 0.0, 1.0),))


def test_publisher_rate_limits_a_drag_and_always_sends_the_last_edit():
    clock = FakeClock()
    sent = []
    publisher = RoiPublisher(sent.append, "panel_0", "abc", clock=clock)
    # 2 s of dragging at 50 edits a second.
    for step in range(100):
        clock.now = step * 0.02
        publisher.edit(rect(0.1 + step * 0.001))
        publisher.tick()
    publisher.release()
    rect_messages = [m for m in sent if m.stream.name.endswith("roi_rectangle")]
    assert 8 <= len(rect_messages) <= 10  # at most 4 a second, not 100
    last = RoiRequest.from_dataarrays(rect_messages[-1].value, None)
    assert last.same_shapes(rect(0.1 + 99 * 0.001))
    assert {m.stream.kind for m in sent} == {StreamKind.LIVEDATA_ROI}
    # The polygon stream went out once ("none"), not with every edit.
    assert [m.stream.name for m in sent].count("panel_0/abc/roi_polygon") == 1


def test_clear_publishes_no_roi_on_both_streams():
    sent = []
    publisher = RoiPublisher(sent.append, "panel_0", "abc")
    publisher.publish(rect(0.5))
    sent.clear()
    assert publisher.clear() == 2
    assert sorted(m.stream.name for m in sent) == [
        "panel_0/abc/roi_polygon",
        "panel_0/abc/roi_rectangle",
    ]
    assert all(m.value.sizes in ({"bounds": 0}, {"vertex": 0}) for m in sent)


def test_readback_tracker_confirms_only_a_matching_readback():
    job = JobId(source_name="panel_0")
    wid = WorkflowId.parse_str("dummy/panel_0_xy/1")
    tracker = RoiReadbackTracker(wid, job)
    assert tracker.state().sync is RoiSync.NO_READBACK
    request = RoiRequest(rectangles=(Rectangle(0.0, 500.0, -500.0, 500.0),), unit="mm")
    tracker.requested(request)

    def echo(req: RoiRequest) -> None:
        for shape, da in req.to("m").to_dataarrays().items():
            key = ResultKey(workflow_id=wid, job_id=job, output_name=shape)
            assert tracker.observe(key, wire_round_trip(da), 5)

    echo(RoiRequest())  # the service still has no ROI
    assert tracker.state().sync is RoiSync.PENDING
    echo(request)
    state = tracker.state()
    assert state.sync is RoiSync.CONFIRMED and state.readback.unit == "m"
    assert state.to_json()["readback"]["shapes"][0]["x"] == [0.0, 0.5]
    other = ResultKey(
        workflow_id=wid,
        job_id=JobId(source_name="panel_0"),
        output_name="roi_rectangle",
    )
    assert not tracker.observe(
        other, wire_round_trip(rect(0.1).to_dataarrays()["roi_rectangle"])
    )


def test_polygon_vertices_survive_as_given():
    poly = Polygon.from_points([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])
    request = RoiRequest(polygons=(poly,), unit=None)
    arrays = request.to_dataarrays()
    assert arrays["roi_polygon"].coords["x"].unit is None
    assert np.array_equal(arrays["roi_polygon"].coords["roi_index"].values, [4] * 4)
    assert RoiRequest.from_dataarrays(None, arrays["roi_polygon"]) == request


def test_the_client_bound_on_vertices_is_the_services():
    from livedata.control import roi as client
    from livedata.kafka import checks
    from livedata.workflows import roi as service

    assert (
        client.MAX_POLYGON_VERTICES
        == service.MAX_POLYGON_VERTICES
        == checks.MAX_POLYGON_VERTICES
    )
