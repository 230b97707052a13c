"""An 80x24 terminal (SSH from a laptop, a split pane): every view shows its key
columns, help fits, detail views read times as UTC and ages, and a read-only
console hides what it disables."""

from __future__ import annotations

import re

from livedata_tui.screens.detail import RecordScreen
from livedata_tui.screens.dialogs import HelpScreen

from .helpers import pilot_test, redraw, screen_lines, show, table
from .scene import JOB, WARN_JOB

NARROW = (80, 24)

# view -> (key columns, texts of key cells that must be on screen)
KEY_COLUMNS = {
    "services": (
        {"health", "service", "rate", "lag"},
        ["STATE", "SERVICE", "MSG/S", "LAG", "detector_data", "OK", "140.0", "12"],
    ),
    "jobs": (
        {"state", "workflow", "job"},
        ["STATE", "WORKFLOW", "JOB", "panel_0_xy v2", "active", "0000000a"],
    ),
    "commands": (
        {"outcome", "summary", "answers"},
        ["OUTCOME", "COMMAND", "ANSWERS", "partial", "1/2", "reset panel_0/0000000c"],
    ),
    "workflows": (
        {"name", "jobs"},
        ["WORKFLOW", "JOBS", "monitor_histogram v2", "total_counts"],
    ),
    "results": (
        {"job", "output", "latest"},
        ["JOB", "OUTPUT", "VALUE", "counts_total", "monitor1/0000000b", "1.23k"],
    ),
    "lag": (
        {"group", "topic", "offsets", "time"},
        ["GROUP", "TOPIC", "OFFSET LAG", "TIME LAG", "dummy_detector", "0.4s"],
    ),
    "notifications": (
        {"age", "level", "text"},
        ["AGO", "LEVEL", "TEXT", "error", "dummy:data_reduction:0 is STOPPED"],
    ),
}
# a time field holding a bare number: ns since the epoch, or a monotonic instant
RAW_TIME = re.compile(r"^ \w+(?<!_per)_(ns|s)\s+-?\d[\d.e+]*\s*$", re.MULTILINE)
RAW_NS = re.compile(r"(?<![\w-])\d{13,}")
UTC_AGE = re.compile(r"\d\d:\d\d:\d\d UTC \((\d+[smhd]\S* ago|in \S+)\)")


@pilot_test
async def test_every_table_keeps_its_key_columns_at_80x24(scene, make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        for view, (columns, texts) in KEY_COLUMNS.items():
            await show(pilot, view)
            shown = table(app).shown_columns()
            assert columns <= set(shown), (view, shown)
            lines = screen_lines(app)
            assert len(lines) == 24 and all(len(line) == 80 for line in lines)
            text = "\n".join(lines)
            missing = [t for t in texts if t not in text]
            assert not missing, f"{view}: {missing}\n{text}"


@pilot_test
async def test_a_wide_terminal_still_shows_every_column(scene, make_app):
    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        for view in KEY_COLUMNS:
            await show(pilot, view)
            assert table(app).shown_columns() == [
                c.key for c in table(app).column_specs
            ], view


@pilot_test
async def test_help_fits_80x24_and_lists_the_commands(scene, make_app):
    app = make_app(logs_dir=".")
    async with app.run_test(size=NARROW) as pilot:
        await show(pilot, "jobs")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help").region
        assert box.x >= 0 and box.y >= 0 and box.right <= 80 and box.bottom <= 24
        text = "\n".join(screen_lines(app))
        assert ":jobs [filter]" in text and ":stop <id>" in text
        assert ":logs [service]" in text
        ids = [entry[2] for entry in app.screen.entries]
        assert ids.index("job.stop") < ids.index("")  # the console's keys first


@pilot_test
async def test_detail_views_show_utc_times_and_ages_not_raw_numbers(scene, make_app):
    app = make_app()
    async with app.run_test(size=NARROW) as pilot:
        for view, key in (
            ("jobs", JOB),
            ("services", "dummy:detector_data:0"),
            ("commands", "msg-ack"),
            ("notifications", "1"),
        ):
            await show(pilot, view)
            table(app).move_cursor(row=table(app).get_row_index(key))
            await pilot.press("enter")
            await redraw(pilot)
            assert isinstance(app.screen, RecordScreen)
            text = "\n".join(screen_lines(app))
            assert not RAW_TIME.search(text), f"{view}:\n{text}"
            assert not RAW_NS.search(text), f"{view}:\n{text}"
            assert UTC_AGE.search(text), f"{view}:\n{text}"
            await pilot.press("escape")
            await pilot.pause()
        app.run_command(f"job {WARN_JOB.split('/')[1][:8]}")
        await redraw(pilot)
        text = "\n".join(screen_lines(app))
        assert "start_time_ns       2023-11-14 22:03:20 UTC (10m10s ago)" in text


@pilot_test
async def test_readonly_hides_the_actions_it_disables(scene, make_app):
    app = make_app(readonly=True)
    async with app.run_test(size=(160, 30)) as pilot:
        for view in ("jobs", "workflows"):
            await show(pilot, view)
            footer = screen_lines(app)[-1]
            assert "Filter" in footer  # the footer is there ...
            assert "Stop" not in footer and "Reset" not in footer  # ... less these
            await pilot.press("question_mark")
            await pilot.pause()
            ids = {entry[2] for entry in app.screen.entries}
            assert not ids & {"job.stop", "job.reset", "workflow.stop"}
            assert ":stop" not in app.screen.commands
            assert ":start" not in app.screen.commands
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("colon")
        candidates = app.screen.query_one("#command-line").suggester._suggestions
        assert candidates and not [
            c for c in candidates if c.split()[0] in ("start", "stop", "reset")
        ]
        assert "job panel_0/0000000a" in candidates
    writable = make_app()
    async with writable.run_test(size=(160, 30)) as pilot:
        await show(pilot, "jobs")
        footer = screen_lines(writable)[-1]
        assert "Stop" in footer and "Reset" in footer
