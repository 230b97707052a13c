"""Small helpers for Pilot tests: wait for a condition, read table cells."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable

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


async def show(pilot, view: str) -> None:
    pilot.app.action_view(view)
    await pilot.pause()
    pilot.app.render_now()
    await pilot.pause()


def pilot_test(fn):
    """Run an ``async def`` test with asyncio (no async pytest plugin needed)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run
