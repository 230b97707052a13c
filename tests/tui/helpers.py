"""Small helpers for Pilot tests: wait for a condition, read table cells."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable

from livedata_tui.screens.start_job import StartJobScreen
from livedata_tui.widgets.status_header import StatusHeader
from livedata_tui.widgets.synced_table import SyncedTable, plain


async def until(pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Pause the pilot until ``condition()`` holds (thread workers finish async)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def table(app) -> SyncedTable:
    return app.screen.query_one(SyncedTable)


def row_text(app, key: str) -> list[str]:
    return [plain(c) for c in table(app).get_row(key)]


def column_text(app, column: str) -> list[str]:
    t = table(app)
    return [plain(t.get_cell(key, column)) for key in t.shown_keys()]


def fields(app) -> dict[str, str]:
    """A drill-down's FIELD -> VALUE cells."""
    return {k: row_text(app, k)[1] for k in table(app).shown_keys()}


def header_text(app) -> str:
    return str(app.screen.query_one(StatusHeader).render())


def screen_lines(app) -> list[str]:
    """The text of the terminal as drawn now, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def redraw(pilot) -> None:
    """Let the screen settle, render the latest snapshot, let it paint."""
    await pilot.pause()
    pilot.app.render_now()
    await pilot.pause()


async def show(pilot, view: str) -> None:
    pilot.app.action_view(view)
    await redraw(pilot)


async def enter_on(pilot, key: str) -> None:
    """Put the cursor on row ``key`` of the visible table and press Enter."""
    t = table(pilot.app)
    t.move_cursor(row=t.get_row_index(key))
    await pilot.press("enter")
    await redraw(pilot)


async def open_form(pilot, ref: str):
    """The start form of workflow ``ref``, opened by the ``:start`` command."""
    pilot.app.run_command(f"start {ref}")
    await pilot.pause()
    assert isinstance(pilot.app.screen, StartJobScreen)
    return pilot.app.screen


def pilot_test(fn):
    """Run an ``async def`` test with asyncio (no async pytest plugin needed)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run
