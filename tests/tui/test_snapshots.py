"""SVG snapshots of each view at 120x36, rendering the real plane's snapshot of
the fixed scene (scene.populate: fixed clock, fixed ids, fixed values).

The committed SVGs under tests/tui/snapshots/ are the reference; after an
intended visual change, regenerate them with ``LIVEDATA_UPDATE_SNAPSHOTS=1`` and
review the diff (open the SVGs in a browser). The comparison is exact text.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from livedata_tui.screens.results import ResultScreen

from .conftest import SIZE
from .helpers import open_form, pilot_test, show
from .scene import MONITORS, WARN_JOB, result_key

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("LIVEDATA_UPDATE_SNAPSHOTS") == "1"


def check(app, name: str) -> None:
    svg = app.export_screenshot(title=name)
    path = SNAPSHOTS / f"{name}.svg"
    if UPDATE or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written")
    assert svg == path.read_text(encoding="utf-8"), (
        f"{name} differs from {path}; if intended, rerun with "
        "LIVEDATA_UPDATE_SNAPSHOTS=1 and review the SVG"
    )


@pytest.mark.parametrize(
    "view",
    ["services", "jobs", "commands", "workflows", "results", "lag", "notifications"],
)
@pilot_test
async def test_view_snapshot(scene, make_app, view):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, view)
        await pilot.pause()
        check(app, view)


@pilot_test
async def test_help_snapshot(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "jobs")
        await pilot.press("question_mark")
        await pilot.pause()
        check(app, "help")


@pilot_test
async def test_start_form_snapshot(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "dummy/monitor_histogram")
        form.query_one("#f-toa_edges-num_bins").value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        check(app, "start_form_error")


@pilot_test
async def test_result_plot_and_paused_snapshot(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "results")
        app.push_screen(
            ResultScreen(result_key(MONITORS, WARN_JOB, "spectrum_current"))
        )
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        check(app, "result_1d_paused")


@pilot_test
async def test_confirm_dialog_snapshot(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "jobs")
        await pilot.press("x")
        await pilot.pause()
        check(app, "confirm_stop")
