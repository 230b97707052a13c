"""Feeds on the updater (D2, D3, D15): compute once per new data, shared,
versioned; presenters render only when the version moved."""

import threading
import time

import numpy as np

from livedata.control.data_service import DataService
from livedata.instruments.grid import Layer
from livedata.plots.feeds import FeedKey, Updater
from livedata.plots.presenters import ImagePresenter, LinesPresenter, make_presenter

from .helpers import Publisher, image, spectrum

PANEL = "dummy/panel_0_xy/1"
MONITORS = "dummy/monitor_histogram/1"


def layer(workflow, output, sources, plotter, **params):
    return Layer(
        workflow_id=workflow,
        output=output,
        source_names=sources,
        plotter=plotter,
        plotter_params=params,
    )


def test_a_feed_computes_once_per_new_data_however_many_hold_it():
    data = DataService()
    pub = Publisher(data)
    updater = Updater(data)
    key = FeedKey.of(layer(PANEL, "cumulative", ["panel_0"], "image"))
    first, second = updater.acquire(key), updater.acquire(key)
    assert first is second
    assert updater.run_once() == 0 and first.state is None
    pub.publish(PANEL, "panel_0", 0, cumulative=image(np.ones((8, 8))))
    assert updater.run_once() == 1
    assert first.version == 1 and first.state.values.shape == (8, 8)
    assert updater.run_once() == 0  # nothing new: no compute
    pub.publish(PANEL, "panel_0", 1, current=image(np.ones((8, 8))))
    assert updater.run_once() == 0  # another output of the job: not this feed
    pub.publish(PANEL, "panel_0", 2, cumulative=image(2 * np.ones((8, 8))))
    assert updater.run_once() == 1 and first.version == 2
    assert updater.counters.get("feed_computes") == 2
    updater.release(key)
    assert updater.feeds() == (first,)
    updater.release(key)
    assert updater.feeds() == ()


def test_params_that_change_the_compute_make_separate_feeds():
    a = FeedKey.of(layer(PANEL, "cumulative", ["panel_0"], "image"))
    b = FeedKey.of(layer(PANEL, "cumulative", ["panel_0"], "image", color_scale="log"))
    c = FeedKey.of(
        layer(PANEL, "cumulative", ["panel_0"], "image", color_scale="linear")
    )
    assert a != b and a == c  # defaults spelled out are the same feed


def test_lines_feed_takes_the_newest_job_per_source():
    data = DataService()
    pub = Publisher(data)
    updater = Updater(data)
    feed = updater.acquire(
        FeedKey.of(layer(MONITORS, "current", ["monitor1", "monitor2"], "lines"))
    )
    pub.publish(MONITORS, "monitor1", 0, current=spectrum([1, 2, 3]))
    pub.publish(MONITORS, "monitor2", 0, current=spectrum([4, 5, 6]))
    updater.run_once()
    assert [c.label for c in feed.state.curves] == ["monitor1", "monitor2"]
    # A restarted job (new job number) replaces the old one's curve.
    pub.jobs.pop((MONITORS, "monitor1"))
    pub.publish(MONITORS, "monitor1", 1, current=spectrum([9, 9, 9]))
    updater.run_once()
    assert feed.state.curves[0].y.tolist() == [9.0, 9.0, 9.0]


def test_a_frame_the_plotter_cannot_draw_is_an_error_on_the_feed_not_a_crash():
    data = DataService()
    pub = Publisher(data)
    updater = Updater(data)
    feed = updater.acquire(
        FeedKey.of(layer(PANEL, "spectrum_current", ["panel_0"], "lines"))
    )
    pub.publish(PANEL, "panel_0", 0, spectrum_current=image(np.ones((2, 2))))
    updater.run_once()
    assert feed.state is None and "lines needs 1 dim" in feed.error


def test_the_updater_thread_feeds_while_readers_only_read_versions():
    data = DataService()
    pub = Publisher(data)
    updater = Updater(data, interval_s=0.01)
    feed = updater.acquire(FeedKey.of(layer(PANEL, "cumulative", ["panel_0"], "image")))
    updater.start()
    try:
        for i in range(5):
            pub.publish(PANEL, "panel_0", i, cumulative=image(np.full((4, 4), i + 1.0)))
            deadline = time.monotonic() + 5
            while feed.version < i + 1 and time.monotonic() < deadline:
                time.sleep(0.005)
        assert feed.state.high == 5.0
        assert threading.current_thread().name != "plots-updater"
    finally:
        updater.stop()


def test_presenters_copy_states_into_bokeh_sources_and_autoscale():
    data = DataService()
    pub = Publisher(data)
    updater = Updater(data)
    key = FeedKey.of(layer(PANEL, "cumulative", ["panel_0"], "image"))
    feed = updater.acquire(key)
    pub.publish(PANEL, "panel_0", 0, cumulative=image(np.arange(16.0).reshape(4, 4)))
    updater.run_once()
    presenter = make_presenter("image", feed.params)
    assert isinstance(presenter, ImagePresenter)
    presenter.render(feed.state)
    assert presenter.source.data["image"][0].shape == (4, 4)
    assert presenter.source.data["t"][0] == feed.state.time_ms
    low, high = presenter.mapper.low, presenter.mapper.high
    assert low == 0 and high > 15  # counts: not padded below zero
    pub.publish(
        PANEL, "panel_0", 1, cumulative=image(np.arange(16.0).reshape(4, 4) * 10)
    )
    updater.run_once()
    presenter.render(feed.state)
    assert presenter.mapper.high > 150  # grew with the data
    fixed = make_presenter("image", key.params.model_copy(update={"color_max": 7.0}))
    fixed.render(feed.state)
    assert fixed.mapper.high == 7.0


def test_lines_presenter_keeps_its_range_until_told_to_fit():
    params = FeedKey.of(
        layer(MONITORS, "current", ["monitor1"], "lines", autoscale_y=False)
    ).params
    presenter = LinesPresenter(params)
    data = DataService()
    pub = Publisher(data)
    updater = Updater(data)
    feed = updater.acquire(
        FeedKey.of(layer(MONITORS, "current", ["monitor1"], "lines", autoscale_y=False))
    )
    pub.publish(MONITORS, "monitor1", 0, current=spectrum([1, 2, 3]))
    updater.run_once()
    presenter.render(feed.state)
    first = (presenter.model.y_range.start, presenter.model.y_range.end)
    pub.publish(MONITORS, "monitor1", 1, current=spectrum([100, 200, 300]))
    updater.run_once()
    presenter.render(feed.state)
    assert (presenter.model.y_range.start, presenter.model.y_range.end) == first
    presenter.fit()
    assert presenter.model.y_range.end > 300


def test_the_updater_computes_a_stored_result_at_once_and_tells_listeners():
    data = DataService()
    pub = Publisher(data)
    # A poll every 30 s would miss the deadline below: the result wakes it.
    updater = Updater(data, interval_s=30.0)
    feed = updater.acquire(FeedKey.of(layer(PANEL, "cumulative", ["panel_0"], "image")))
    told = threading.Event()
    updater.listen("a session", told.set)
    updater.start()
    try:
        time.sleep(0.2)  # the first pass is over: the thread waits
        pub.publish(PANEL, "panel_0", 0, cumulative=image(np.full((4, 4), 2.0)))
        assert told.wait(10), "the updater did not wake on the stored result"
        assert feed.version == 1 and feed.state.high == 2.0
        stages = updater.lags.summary(60)
        assert stages["received"]["count"] == stages["computed"]["count"] == 1
        updater.unlisten("a session")
        told.clear()
        pub.publish(PANEL, "panel_0", 1, cumulative=image(np.full((4, 4), 3.0)))
        deadline = time.monotonic() + 10
        while feed.version < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert feed.version == 2 and not told.is_set()
    finally:
        updater.stop()
