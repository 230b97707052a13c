"""Every view renders the real plane's snapshot of the fixed scene, cell by cell,
and Enter drills down on each of them."""

from __future__ import annotations

from livedata_tui.screens.results import ResultScreen
from livedata_tui.screens.start_job import StartJobScreen

from .conftest import SIZE
from .helpers import column_text, enter_on, fields, pilot_test, row_text, show, table
from .scene import (
    ERR_JOB,
    JOB,
    MONITORS,
    PANEL_XY,
    WARN_JOB,
    job_id,
    result_key,
    scalar,
)

DETECTOR = "dummy:detector_data:0"
COUNTS = result_key(PANEL_XY, JOB, "counts_total")
IMAGE = result_key(PANEL_XY, JOB, "image_cumulative")
SPECTRUM = result_key(MONITORS, WARN_JOB, "spectrum_current")
DETECTOR_LAG = f"{DETECTOR}|dummy_detector|0"
MONITOR_LAG = "dummy:monitor_data:0|dummy_beam_monitor|0"


@pilot_test
async def test_services_show_badge_uptime_rate_lag_and_age(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        assert row_text(app, DETECTOR) == [
            "OK",
            "dummy",
            "detector_data",
            "0",
            "10s",
            "2",
            "140.0",
            "12",
            "0s",
        ]
        assert row_text(app, "dummy:monitor_data:0")[6:8] == ["28.0", "-"]
        assert row_text(app, "dummy:timeseries:0")[0] == "WARN"
        stopped = row_text(app, "dummy:data_reduction:0")
        assert (stopped[0], stopped[6], stopped[8]) == ("STOPPED", "-", "10s")


@pilot_test
async def test_jobs_show_state_times_problems_and_a_trend(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "jobs")
        assert row_text(app, JOB) == [
            "active",
            "panel_0_xy v2",
            "panel_0",
            "0000000a",
            "22:03:20",
            "-",
            "",
            "▁▄▂▇█",  # counts_total: 1000, 1100, 1050, 1200, 1234
        ]
        assert row_text(app, WARN_JOB)[:7] == [
            "warning",
            "monitor_histogram v2",
            "monitor1",
            "0000000b",
            "22:03:20",
            "-",
            "no monitor data for 30 s",
        ]
        assert row_text(app, ERR_JOB)[:7] == [
            "error",
            "total_counts v2",
            "panel_0",
            "0000000c",
            "22:03:20",
            "22:13:20",
            "cannot load geometry",
        ]
        # the problem cells carry the state colours
        cells = table(app).get_row(WARN_JOB)
        assert cells[6].style == "yellow"
        assert table(app).get_row(ERR_JOB)[6].style == "red"
        assert table(app).border_title == "trend: counts_total"
        await pilot.press("o")
        assert table(app).border_title == "trend: counts_current"
        assert row_text(app, JOB)[7] == "▁▄█"  # 40, 60, 90


@pilot_test
async def test_commands_show_every_outcome_and_the_message(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "commands")
        assert column_text(app, "id") == [
            "msg-pending",
            "msg-partial",
            "msg-err",
            "msg-ack",
        ]  # newest first
        assert row_text(app, "msg-ack")[:6] == [
            "1",
            "ACK",
            f"start {PANEL_XY} on panel_0",
            "1/1",
            "other",  # another client sent it
            "",
        ]
        assert row_text(app, "msg-err")[1:6] == [
            "ERR",
            "reset panel_0/0000000c",  # ids cut to 8 digits in the table
            "1/1",
            "other",
            "panel_0/0000000c: job not found",
        ]
        assert row_text(app, "msg-partial")[1:6] == [
            "partial",
            f"start {MONITORS} on monitor1, monitor2",
            "1/2",
            "other",
            "replaced running job",
        ]
        assert row_text(app, "msg-pending")[1:5] == [
            "pending",
            "stop panel_0/0000000a",
            "0/1",
            "other",
        ]


@pilot_test
async def test_results_lag_notifications_and_workflows(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "results")
        assert row_text(app, COUNTS) == [
            "panel_0_xy v2",
            "panel_0/0000000a",
            "counts_total",
            "scalar",
            "counts",
            "1.23k",
            "-",
            "▁▄▂▇█",
            "0s",
        ]
        assert row_text(app, IMAGE)[3:7] == ["128x128", "counts", "5.50M", "812.00"]
        assert row_text(app, SPECTRUM)[3:7] == ["8", "counts", "36.00", "8.00"]
        await show(pilot, "lag")
        assert row_text(app, DETECTOR_LAG) == [
            DETECTOR,
            "dummy_detector",
            "0",
            "12",
            "0.4s",
            "12",  # the peak offset lag since the console started
            "0",  # the service skipped nothing
            "▁▄▅███",  # one point per heartbeat: 1, 5, 8, 12, 12, 12
        ]
        assert row_text(app, MONITOR_LAG)[3:5] == ["-", "-"]  # unknown, never 0
        await show(pilot, "notifications")
        assert column_text(app, "text") == [
            f"start {MONITORS} on monitor1, monitor2: partial",
            "reset panel_0/0000000c: ERR: panel_0/0000000c: job not found",
            "dummy:data_reduction:0 is STOPPED",
        ]
        assert column_text(app, "level") == ["error", "error", "info"]
        await show(pilot, "workflows")
        assert column_text(app, "group") == sorted(column_text(app, "group"))
        jobs = dict(
            zip(column_text(app, "name"), column_text(app, "jobs"), strict=True)
        )
        assert jobs["panel_0_xy v2"] == "1"
        assert jobs["monitor_histogram v2"] == "1"  # a warning still runs
        assert jobs["total_counts v2"] == "0"  # an error does not
        assert jobs["panel_0_xy"] == "0"  # the facility's id, no job of it


@pilot_test
async def test_results_fit_120_columns_even_with_long_names_and_a_scrollbar(
    scene, make_app
):
    long_job = job_id("endcap_backward_detector", 13)
    for i in range(40):
        scene.feed.result(
            "dummy/multiblade_blade_wire_strip/1",
            long_job,
            f"counts_total_cumulative_{i}",
            scalar(float(i)),
        )
    scene.deliver()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "results")
        t = table(app)
        assert t.show_vertical_scrollbar
        assert t.virtual_size.width <= t.scrollable_content_region.width
        assert not t.show_horizontal_scrollbar
        key = result_key(
            "dummy/multiblade_blade_wire_strip/1", long_job, "counts_total_cumulative_0"
        )
        assert row_text(app, key)[-1] == "0s"  # UPDATED, in view


@pilot_test
async def test_enter_drills_down_on_every_table(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        await enter_on(pilot, DETECTOR)
        assert app.screen.view_name == f"Service {DETECTOR}"
        got = fields(app)
        assert (got["health"], got["consumer_lag"], got["job_count"]) == (
            "OK",
            "12",
            "2",
        )
        await pilot.press("escape")
        assert app.screen.view_name == "Services"

        await show(pilot, "jobs")
        await enter_on(pilot, ERR_JOB)
        got = fields(app)
        assert (got["state"], got["error"]) == ("error", "cannot load geometry")
        await pilot.press("escape")
        await enter_on(pilot, JOB)
        got = fields(app)
        assert got["→ counts_total"] == "scalar [counts] value=1.234k  ▁▄▂▇█"
        assert got["→ image_cumulative"].startswith("128x128 [counts]")
        await pilot.press("escape")
        assert app.screen.view_name == "Jobs"

        await show(pilot, "commands")
        await enter_on(pilot, "msg-err")
        got = fields(app)
        assert (got["outcome"], got["summary"]) == ("ERR", f"reset {ERR_JOB}")
        assert got["answers"] == f"('{ERR_JOB}', 'ERR', 'job not found')"
        await pilot.press("escape")

        await show(pilot, "results")
        await enter_on(pilot, COUNTS)
        assert isinstance(app.screen, ResultScreen)
        assert app.screen.view_name == "Result counts_total"
        await pilot.press("escape")

        await show(pilot, "lag")
        await enter_on(pilot, DETECTOR_LAG)
        assert app.screen.view_name == f"Lag dummy_detector/0 of {DETECTOR}"
        got = fields(app)
        assert (got["offset_lag"], got["time_lag_s"]) == ("12", "0.4")
        assert got["trend"] == "▁▄▅███"
        await pilot.press("escape")
        assert app.screen.view_name == "Lag"

        await show(pilot, "notifications")
        await enter_on(pilot, "1")
        got = fields(app)
        assert (got["level"], got["text"]) == (
            "info",
            "dummy:data_reduction:0 is STOPPED",
        )
        await pilot.press("escape")
        assert app.screen.view_name == "Notifications"

        await show(pilot, "workflows")
        await enter_on(pilot, MONITORS)
        assert isinstance(app.screen, StartJobScreen)
        assert str(app.screen.spec.workflow_id) == MONITORS


@pilot_test
async def test_result_detail_per_dimensionality(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "results")
        for key, plot_shown, spark_shown in (
            (SPECTRUM, True, False),
            (COUNTS, False, True),
            (IMAGE, False, False),
        ):
            app.push_screen(ResultScreen(key))
            await pilot.pause()
            app.render_now()
            await pilot.pause()
            numbers = str(app.screen.query_one("#numbers").render())
            assert app.screen.query_one("#plot").display is plot_shown
            assert app.screen.query_one("#spark").display is spark_shown
            if key == IMAGE:
                assert "128x128" in numbers
                assert "5,500,000" in numbers and "812\n" in numbers + "\n"
            if key == COUNTS:
                assert "history    5 values" in numbers
            await pilot.press("escape")
