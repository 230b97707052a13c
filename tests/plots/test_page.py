"""A session's page without a browser: cells from a template, batched renders,
'not running' with a start through the control plane (ACK shown), edits saved
per instrument and restored."""

import asyncio
import inspect
import time

import numpy as np
import pytest
from bokeh.document import Document

from livedata.control.data_service import DataService
from livedata.plots.page import SessionPage
from livedata.plots.server import ServeOptions, build_context
from tests.control.plane_helpers import Setup

from .helpers import Publisher, image, spectrum

PANEL = "dummy/panel_0_xy/2"
MONITORS = "dummy/monitor_histogram/2"


@pytest.fixture
def setup(tmp_path):
    return Setup(tmp_path, "monitor_data")


def context(setup, tmp_path, **options):
    data = DataService()
    plane = setup.plane(data_service=data)
    return build_context(
        "dummy", plane, data, ServeOptions(state_dir=tmp_path / "state", **options)
    )


def test_cells_follow_the_template_and_render_only_changed_feeds(setup, tmp_path):
    ctx = context(setup, tmp_path)
    page = SessionPage(ctx)
    assert page.grid.name == "dummy_overview"
    assert len(page.cells) == len(page.grid.cells) == 6
    pub = Publisher(ctx.data)
    pub.publish(PANEL, "panel_0", 0, cumulative=image(np.ones((8, 8))))
    ctx.updater.run_once()
    page.tick()
    assert page.renders == 1
    page.tick()
    assert page.renders == 1  # nothing new: nothing rendered
    image_layer = page.cells[0].layers[0]
    assert image_layer.presenter.source.data["image"][0].shape == (8, 8)
    pub.publish(MONITORS, "monitor1", 0, current=spectrum([1, 2, 3]))
    pub.publish(PANEL, "panel_0", 1, cumulative=image(np.full((8, 8), 3.0)))
    ctx.updater.run_once()
    page.tick()
    assert page.renders == 3  # two cells in one batch


def test_two_sessions_share_feeds_but_not_presenters(setup, tmp_path):
    ctx = context(setup, tmp_path)
    a, b = SessionPage(ctx), SessionPage(ctx)
    assert a.cells[0].layers[0].feed is b.cells[0].layers[0].feed
    assert a.cells[0].layers[0].presenter is not b.cells[0].layers[0].presenter
    feeds = len(ctx.updater.feeds())
    a.release()
    assert len(ctx.updater.feeds()) == feeds  # b still holds them
    b.release()
    assert ctx.updater.feeds() == ()


def test_a_cell_whose_workflow_is_not_running_offers_a_start_and_shows_the_ack(
    setup, tmp_path
):
    ctx = context(setup, tmp_path)
    page = SessionPage(ctx)
    monitors = next(c for c in page.cells if c.cell.title == "Monitors").layers[0]
    text, offer = monitors.status_text(ctx.plane.snapshot())
    assert f"{MONITORS} is not running on monitor1, monitor2" in text and offer
    monitors.start()
    deadline = time.monotonic() + 5
    while monitors._message_id is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert monitors._message_id is not None
    text, offer = monitors.status_text(ctx.plane.snapshot())
    assert "waiting for ACK" in text and not offer
    ctx.plane.wait(monitors._message_id, 5)
    text, _ = monitors.status_text(ctx.plane.snapshot())
    assert "start: ACK" in text
    setup.beat(ctx.plane)
    text, offer = monitors.status_text(ctx.plane.snapshot())
    assert "not running" not in text and not offer


def test_edits_are_saved_per_instrument_and_restored(setup, tmp_path):
    ctx = context(setup, tmp_path)
    page = SessionPage(ctx)
    cell = page.cells[0]
    cell.settings_toggle.value = True  # opens the wizard at step three
    wizard = cell.wizard
    assert wizard.step == 3 and wizard.plotter.value == "image"
    assert wizard.sources.value == ["panel_0"] and wizard.roi.value
    wizard.form.widgets["color_scale"].value = "linear"
    wizard.form.widgets["colormap"].value = "magma"
    wizard.geometry["row_span"].value = 1
    assert cell.apply() is None
    assert wizard.message.object == ""
    assert page.grid.cells[0].row_span == 1
    assert page.grid.cells[0].layers[0].plotter_params == {"colormap": "magma"}
    # The ROI layers stay stacked on the image.
    assert [str(v.plotter) for v in page.grid.cells[0].layers] == [
        "image",
        "roi_readback",
        "roi_request",
    ]
    # Overlap: refused with a reason, nothing saved.
    moved = page.cells[1]
    moved.settings_toggle.value = True
    moved.wizard.geometry["col"].value = 0
    moved.apply()
    assert "overlaps" in moved.wizard.message.object
    page.edit_cell(len(page.grid.cells) - 1, None)  # remove the last cell
    restored = SessionPage(context(setup, tmp_path))
    assert len(restored.grid.cells) == 5
    assert restored.grid.cells[0].layers[0].plotter_params == {"colormap": "magma"}
    restored.reset_template()
    assert len(restored.grid.cells) == 6


def test_add_a_cell_with_a_plotter_chosen_from_the_output_template(setup, tmp_path):
    ctx = context(setup, tmp_path)
    page = SessionPage(ctx)
    page.add_toggle.value = True
    wizard = page.wizard
    assert wizard.step == 1
    wizard.workflow.value = "dummy/total_counts/2"
    wizard.output.value = "total_counts"
    wizard.go(2)
    assert wizard.plotter.options == [
        "timeseries",
        "bars",
        "table",
        "number",
        "correlation",
    ]
    wizard.plotter.value = "number"
    assert not wizard.x_axis.visible and not wizard.roi.visible
    wizard.go(3)
    wizard.geometry["row"].value, wizard.geometry["col"].value = 3, 0
    assert wizard.finish() is None
    assert page.grid.nrows == 4 and page.grid.cells[-1].layers[0].plotter == "number"
    assert not page.add_toggle.value  # the wizard closes once the plot is added
    page.add_toggle.value = True
    again = page.wizard
    again.workflow.value = "dummy/total_counts/2"
    again.go(3)
    assert "overlaps" in again.finish()  # row 0, col 0: the image's place


def test_a_corrupt_store_is_shown_on_the_page_and_the_template_used(setup, tmp_path):
    path = tmp_path / "state" / "plots" / "dummy.json"
    path.parent.mkdir(parents=True)
    path.write_text("not json")
    page = SessionPage(context(setup, tmp_path))
    assert "unreadable" in page.banner.object
    assert page.grid.name == "dummy_overview" and len(page.cells) == 6


def test_unknown_template_on_the_command_line_is_refused(setup, tmp_path):
    with pytest.raises(ValueError, match="no grid template 'nope' for dummy"):
        context(setup, tmp_path, template="nope")


def test_a_template_is_picked_in_the_page_and_remembered(setup, tmp_path):
    ctx = context(setup, tmp_path)
    small = ctx.templates["dummy_overview"].model_copy(
        update={"name": "small", "title": "Small", "cells": ()}
    )
    ctx.store.save(small, select=False)
    page = SessionPage(ctx)
    assert page.picker.options == ["dummy_overview", "small"]
    page.picker.value = "small"
    assert page.grid.name == "small" and page.cells == []
    again = SessionPage(context(setup, tmp_path))
    assert again.grid.name == "small"  # the last pick opens next time
    chosen = SessionPage(context(setup, tmp_path), "dummy_overview")
    assert len(chosen.cells) == 6  # ?template=NAME wins


def test_a_one_output_page_uses_the_default_plotter_and_is_never_the_default(
    setup, tmp_path
):
    from livedata.plots.page import single_output_grid

    ctx = context(setup, tmp_path)
    grid = single_output_grid(ctx, PANEL, "counts_total", "panel_0")
    assert grid.cells[0].layers[0].plotter == "timeseries"  # from the 0-d template
    assert single_output_grid(ctx, PANEL, "no_such_output", "panel_0") is None
    page = SessionPage(ctx)
    page.grid = grid
    page._build()
    assert page.edit_cell(0, grid.cells[0].model_copy(update={"title": "t"})) is None
    assert ctx.store.grid(grid.name) is not None  # the edit is kept ...
    assert ctx.store.selected != grid.name  # ... but new sessions open the template


def test_a_session_expired_while_still_connected_comes_back(setup, tmp_path):
    ctx = context(setup, tmp_path)
    page = SessionPage(ctx)
    page.registered = True  # as attach() does for a served session
    ctx.sessions.register(page.session_id, cleanup=page.release)
    ctx.sessions.remove(page.session_id)  # e.g. the server stalled > timeout
    assert page.cells == [] and ctx.updater.feeds() == ()
    page.tick()  # its browser is still there: it registers again
    assert page.session_id in ctx.sessions
    # six cells, seven feeds: the image's ROI readback has one too
    assert len(page.cells) == 6 and len(ctx.updater.feeds()) == 7


class RecordingDoc(Document):
    """A document whose next-tick callbacks wait for the test to run them (the
    server's event loop would, with the document locked)."""

    def __init__(self) -> None:
        super().__init__()
        self.scheduled: list = []
        self.recomputes = 0  # of the whole model graph (what a freeze costs)
        recompute = self.models.recompute

        def counted() -> None:
            self.recomputes += 1
            recompute()

        self.models.recompute = counted

    def add_next_tick_callback(self, callback):
        self.scheduled.append(callback)

    def run_scheduled(self) -> None:
        scheduled, self.scheduled = self.scheduled, []
        for callback in scheduled:
            # A coroutine: Bokeh runs it on the event loop itself (a plain
            # function would go to a worker thread, from where each change
            # is sent as a message of its own).
            assert inspect.iscoroutinefunction(callback), callback
            asyncio.run(callback())


def test_new_data_is_drawn_when_the_updater_has_it_in_one_cheap_batch(setup, tmp_path):
    ctx = context(setup, tmp_path)
    page = SessionPage(ctx)
    doc = RecordingDoc()
    page.attach(doc)
    pub = Publisher(ctx.data)
    pub.publish(PANEL, "panel_0", 0, cumulative=image(np.ones((8, 8))))
    assert ctx.updater.run_once() == 1
    assert len(doc.scheduled) == 1  # a render, queued for the event loop
    pub.publish(PANEL, "panel_0", 1, cumulative=image(np.full((8, 8), 2.0)))
    assert ctx.updater.run_once() == 1
    assert len(doc.scheduled) == 1  # still queued: it will draw the newest
    doc.run_scheduled()
    assert page.renders == 1 and page.ticks == 0  # drawn without a tick
    layer = page.cells[0].layers[0]
    assert layer.presenter.source.data["image"][0][0, 0] == 2.0
    assert ctx.updater.run_once() == 0 and doc.scheduled == []  # nothing new
    assert doc.recomputes == 1  # the first frame's batch: models may be added
    pub.publish(PANEL, "panel_0", 2, cumulative=image(np.full((8, 8), 5.0)))
    ctx.updater.run_once()
    doc.run_scheduled()
    assert layer.presenter.source.data["image"][0][0, 0] == 5.0
    assert doc.recomputes == 1  # only data changed: no page-wide recompute
    stages = ctx.lags.summary(60)
    assert {s: stages[s]["count"] for s in ("computed", "rendered", "batched")} == {
        "computed": 3,
        "rendered": 2,
        "batched": 2,
    }
    page.release()
    pub.publish(PANEL, "panel_0", 3, cumulative=image(np.ones((8, 8))))
    ctx.updater.run_once()
    assert doc.scheduled == []  # a released session is no longer told
