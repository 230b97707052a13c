"""ROI drawing without a browser (D12): the tools' columns become requests, a
finished edit is published on the job's streams (throttled, only what
changed), the readback confirms it, and the request is kept with the grid and
sent again to a restarted job."""

import time

import numpy as np
import pytest
import scipp as sc

from livedata.control.data_service import DataService
from livedata.control.roi import Rectangle, RoiRequest, roi_colour
from livedata.control.roi_readback import RoiState
from livedata.plots.page import SessionPage
from livedata.plots.roi_tools import RoiOutbox, request_from_columns, sync_text
from livedata.plots.server import ServeOptions, build_context

from .helpers import Publisher, image

PANEL = "dummy/panel_0_xy/2"


def quads(*rects):
    return {
        "left": [r[0] for r in rects],
        "right": [r[1] for r in rects],
        "bottom": [r[2] for r in rects],
        "top": [r[3] for r in rects],
        "color": ["#888888"] * len(rects),
    }


def test_box_columns_become_rectangles_in_order_whichever_way_drawn():
    edit = request_from_columns(
        quads((0.1, -0.2, 0.0, 0.3), (0.0, 0.1, 0.2, 0.1)), {}, "m"
    )
    assert edit.request.rectangles == (
        Rectangle(-0.2, 0.1, 0.0, 0.3),
        Rectangle(0.0, 0.1, 0.1, 0.2),
    )
    assert edit.request.indices == (0, 1) and edit.request.unit == "m"
    assert not edit.drawing and edit.problems == ()


def test_a_polygon_still_drawn_is_held_back_and_a_finished_one_is_sent():
    drawing = {"xs": [[0, 1, 1, 1]], "ys": [[0, 0, 1, 1]]}
    edit = request_from_columns({}, drawing, "m")
    assert edit.drawing and edit.request.polygons == ()
    finished = {"xs": [[0, 1, 1, 0.5]], "ys": [[0, 0, 1, 1.5]]}
    edit = request_from_columns({}, finished, "m")
    assert not edit.drawing
    assert edit.request.polygons[0].x == (0.0, 1.0, 1.0, 0.5)
    assert edit.request.indices == (4,)
    # Repeated and closing vertices do not count; two vertices are refused.
    closed = {"xs": [[0, 0, 1, 1, 0], [0, 1]], "ys": [[0, 0, 0, 1, 0], [0, 1]]}
    edit = request_from_columns({}, closed, "m")
    assert edit.request.polygons[0].x == (0.0, 1.0, 1.0)
    assert edit.problems == (
        "polygon not sent: polygon needs at least 3 vertices, got 2",
    )


def test_a_flat_box_is_refused_with_its_reason():
    edit = request_from_columns(quads((0.1, 0.1, 0.0, 0.3)), {}, None)
    assert edit.request.empty
    assert "x0 < x1" in edit.problems[0]


def test_the_status_says_whether_the_service_has_the_rois():
    one = RoiRequest((Rectangle(0, 1, 0, 1),), unit="m")
    assert "confirmed" in sync_text(RoiState(one, one.to("mm")))
    assert "waiting" in sync_text(RoiState(one, RoiRequest(unit="m")))
    assert "no readback" in sync_text(RoiState(one, None))
    idle = sync_text(RoiState(RoiRequest(), RoiRequest()), ["x"])
    assert idle.startswith("no ROI: draw one") and idle.endswith(" · x")


def empty_roi(dim):
    return sc.DataArray(
        sc.array(dims=[dim], values=np.zeros(0, np.int32), unit=None),
        coords={
            "x": sc.array(dims=[dim], values=np.zeros(0), unit="m"),
            "y": sc.array(dims=[dim], values=np.zeros(0), unit="m"),
            "roi_index": sc.array(dims=[dim], values=np.zeros(0, np.int32), unit=None),
        },
    )


def readback(request: RoiRequest) -> dict:
    arrays = request.to_dataarrays()
    return {
        "roi_rectangle": arrays["roi_rectangle"],
        "roi_polygon": arrays["roi_polygon"],
    }


@pytest.fixture
def ctx(tmp_path):
    data = DataService()
    context = build_context("dummy", None, data, ServeOptions(state_dir=tmp_path))
    sent = []
    context.roi_outbox = RoiOutbox(sent.append)
    context.sent = sent
    yield context
    context.roi_outbox.stop()


def wait_sent(sent, n, timeout=5.0):
    deadline = time.monotonic() + timeout
    while len(sent) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return list(sent)


def job_frame(ctx, pub, i, request=RoiRequest(unit="m")):
    pub.publish(
        PANEL, "panel_0", i, cumulative=image(np.ones((8, 8))), **readback(request)
    )
    ctx.updater.run_once()


def test_an_edit_is_published_for_the_drawn_job_kept_and_confirmed(ctx):
    pub = Publisher(ctx.data)
    page = SessionPage(ctx)
    job_frame(ctx, pub, 0)
    page.tick()
    tools = page.cells[0].request
    assert tools is not None and tools.job is not None
    assert ctx.sent == []  # the empty readback is the (empty) request: nothing sent
    # The box tool syncs its columns once the drag ends.
    tools.quads.data = quads((-0.2, 0.1, -0.1, 0.3))
    sent = wait_sent(ctx.sent, 2)
    number = tools.job.job_number
    assert sorted(m.stream.name for m in sent) == [
        f"panel_0/{number}/roi_polygon",
        f"panel_0/{number}/roi_rectangle",
    ]
    rect = next(m.value for m in sent if m.stream.name.endswith("roi_rectangle"))
    assert rect.coords["x"].values.tolist() == [-0.2, 0.1]
    assert str(rect.coords["x"].unit) == "m"
    assert tools.quads.data["color"] == [roi_colour(0)]  # coloured by ROI index
    saved = ctx.store.grid("dummy_overview").cells[0].layers[2].plotter_params
    assert saved == {"rectangles": [[-0.2, 0.1, -0.1, 0.3]], "polygons": []}
    page.tick()
    assert "waiting for the service" in tools.status.object
    # Moved: only the rectangle stream changes; held back within the interval.
    tools.quads.data = quads((0.0, 0.3, -0.1, 0.3))
    time.sleep(0.3)
    page.tick()
    sent = wait_sent(ctx.sent, 3)
    assert len(sent) == 3 and sent[-1].stream.name.endswith("roi_rectangle")
    job_frame(ctx, pub, 1, tools.request)
    page.tick()
    assert "1 ROI: confirmed by the service" in tools.status.object
    # Removing every shape publishes "no ROI".
    tools.clear()
    time.sleep(0.3)
    page.tick()
    sent = wait_sent(ctx.sent, 4)
    assert sent[-1].value.sizes == {"bounds": 0}


def test_the_kept_request_is_restored_and_sent_to_a_new_job(ctx):
    pub = Publisher(ctx.data)
    first = SessionPage(ctx)
    job_frame(ctx, pub, 0)
    first.tick()
    first.cells[0].request.quads.data = quads((-0.2, 0.1, -0.1, 0.3))
    assert len(wait_sent(ctx.sent, 2)) == 2
    first.release()
    # The job restarts (a new job number) with no ROIs; a new page opens.
    pub.jobs.clear()
    job_frame(ctx, pub, 5)
    page = SessionPage(ctx)
    tools = page.cells[0].request
    assert tools.request.rectangles == (Rectangle(-0.2, 0.1, -0.1, 0.3),)
    assert tools.quads.data["left"] == [-0.2]
    ctx.updater.run_once()  # the new page's feeds compute
    page.tick()
    sent = wait_sent(ctx.sent, 4)
    number = tools.job.job_number
    assert {m.stream.name for m in sent[2:]} == {
        f"panel_0/{number}/roi_rectangle",
        f"panel_0/{number}/roi_polygon",
    }


def test_without_a_control_plane_rois_are_kept_not_sent(tmp_path):
    ctx = build_context("dummy", None, DataService(), ServeOptions(state_dir=tmp_path))
    page = SessionPage(ctx)
    tools = page.cells[0].request
    tools.quads.data = quads((-0.2, 0.1, -0.1, 0.3))
    page.tick()
    tools.refresh_status()
    assert "not connected" in tools.status.object
    assert ctx.store.grid("dummy_overview").cells[0].layers[2].plotter_params


def test_with_nothing_kept_the_services_rois_become_the_editable_ones(ctx):
    pub = Publisher(ctx.data)
    set_elsewhere = RoiRequest((Rectangle(-100, 100, -50, 50),), unit="mm")
    job_frame(ctx, pub, 0, set_elsewhere)  # e.g. by `livedata roi set`
    page = SessionPage(ctx)
    ctx.updater.run_once()
    page.tick()
    tools = page.cells[0].request
    assert tools.request.same_shapes(set_elsewhere) and tools.request.unit == "m"
    assert tools.quads.data["left"] == [pytest.approx(-0.1)]
    assert ctx.sent == []  # nothing cleared, nothing sent
    saved = ctx.store.grid("dummy_overview").cells[0].layers[2].plotter_params
    assert saved["rectangles"] == [[-0.1, 0.1, -0.05, 0.05]]
