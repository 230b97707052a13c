"""The console and the plot server: ``:plots`` starts it and shows its URL, the
Results view's ``p`` opens the selected output's plot, quitting stops it."""

from __future__ import annotations

import sys

import pytest

from livedata.control.plots_process import PlotsProcess, PlotsStartError

from .conftest import SIZE
from .helpers import pilot_test, redraw, show, table, until


class FakePlots:
    """A plot server that starts at once (the real one is a child process,
    driven in tests/browser)."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.launched = 0
        self.stopped = 0

    def launch(self) -> None:
        self.launched += 1

    def wait_url(self, timeout: float = 60.0) -> str:
        self.url = "http://127.0.0.1:5006/"
        return self.url

    def url_for(self, workflow_id: str, output: str, source: str) -> str | None:
        real = PlotsProcess("dummy", "x")
        real.url = self.url
        return real.url_for(workflow_id, output, source)

    def stop(self, timeout: float = 10.0) -> int | None:
        self.stopped += 1
        return 0


@pilot_test
async def test_plots_command_starts_the_server_and_shows_its_url(scene, make_app):
    plots = FakePlots()
    app = make_app(plots=plots)
    async with app.run_test(size=SIZE) as pilot:
        app.run_command("plots")
        await until(pilot, lambda: app.plots_url is not None)
        assert app.plots_url == "http://127.0.0.1:5006/"
        assert plots.launched == 1
        await show(pilot, "results")
        t = table(app)
        key = t.shown_keys()[0]
        t.move_cursor(row=t.get_row_index(key))
        await pilot.press("p")
        await until(pilot, lambda: "workflow=" in (app.plots_url or ""))
        row = next(r for r in app.snapshot.results if r.key == key)
        assert f"output={row.output_name}" in app.plots_url
        assert "source=" in app.plots_url
        await redraw(pilot)
    assert plots.stopped == 1  # the console's plot server ends with it


@pilot_test
async def test_without_a_launcher_plots_says_so(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.run_command("plots")
        await pilot.pause()
        assert app.plots_url is None


def test_a_plot_server_that_cannot_start_says_why_in_one_line(tmp_path):
    process = PlotsProcess("no_such_instrument", "127.0.0.1:1")
    with pytest.raises(
        PlotsStartError, match=r"exited \(2\): error: .*no_such_instrument"
    ):
        process.start(timeout=60)
    assert not process.running


def test_url_for_one_output_keeps_the_token():
    process = PlotsProcess("dummy", "x")
    process.url = "http://host:1/?token=abc"
    url = process.url_for("dummy/a/1", "current", "panel_0")
    assert url == (
        "http://host:1/?token=abc&workflow=dummy%2Fa%2F1&output=current&source=panel_0"
    )
    assert sys.executable  # the child runs this interpreter
