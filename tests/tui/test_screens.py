"""Every view renders the fake plane's snapshot with the right cells."""

from __future__ import annotations

from livedata.control.snapshots import ResultRow

from .conftest import SIZE
from .helpers import column_text, pilot_test, row_text, show, table
from .scene import JOB


@pilot_test
async def test_services_show_badge_rate_lag_and_age(make_app, plane):
    plane.advance(2.0)
    app = make_app(wall_clock_ns=lambda: 1_700_000_090_000_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        assert row_text(app, "dummy:detector_data:0") == [
            "OK",
            "dummy",
            "detector_data",
            "0",
            "1m30s",
            "1",
            "140.0",
            "3",
            "2s",
        ]
        assert row_text(app, "dummy:timeseries:0")[0] == "WARN"
        assert row_text(app, "dummy:timeseries:0")[6:8] == ["-", "-"]


@pilot_test
async def test_jobs_show_state_and_trend_of_scalar_output(make_app, plane):
    plane.set_result(
        ResultRow(
            key="k-cumulative",
            workflow_id="dummy/panel_0_xy/1",
            job_id=JOB,
            output_name="counts_total_cumulative",
            dims=(),
            shape=(),
            unit="counts",
            updated_s=1000.0,
            history=(1.0, 2.0, 3.0),
        )
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "jobs")
        cells = row_text(app, JOB)
        assert cells[:4] == ["active", "panel_0_xy", "panel_0", "0000000a"]
        assert cells[7] == "▁▄▂▇█"  # counts_total history
        assert table(app).border_title == "trend: counts_total"
        await pilot.press("o")
        assert table(app).border_title == "trend: counts_total_cumulative"
        assert row_text(app, JOB)[7] == "▁▅█"


@pilot_test
async def test_results_lag_notifications_workflows(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "results")
        assert row_text(app, "k-counts")[2:7] == [
            "counts_total",
            "scalar",
            "counts",
            "1.23k",
            "-",
        ]
        assert row_text(app, "k-image")[3] == "128x128"
        await show(pilot, "lag")
        unknown = row_text(app, "dummy_monitor_data|dummy_beam_monitor|0")
        assert unknown[3:5] == ["-", "-"]  # unknown is '-', never 0
        assert row_text(app, "dummy_detector_data|dummy_detector|0")[3:] == [
            "12",
            "0.4s",
            "▁▅█",
        ]
        await show(pilot, "notifications")
        assert column_text(app, "text") == ["console connected"]
        await show(pilot, "workflows")
        assert "monitor_histogram" in column_text(app, "name")
        assert column_text(app, "group") == sorted(column_text(app, "group"))


@pilot_test
async def test_drill_down_and_escape_back(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        await pilot.press("enter")
        app.render_now()
        await pilot.pause()
        fields = dict((k, row_text(app, k)[1]) for k in table(app).shown_keys())
        assert fields["service_id"] == "dummy:detector_data:0"
        assert fields["health"] == "OK"
        await pilot.press("escape")
        assert app.screen.view_name == "Services"


@pilot_test
async def test_result_detail_per_dimensionality(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "results")
        for key, plot_shown, spark_shown in (
            ("k-spectrum", True, False),
            ("k-counts", False, True),
            ("k-image", False, False),
        ):
            from livedata_tui.screens.results import ResultScreen

            app.push_screen(ResultScreen(key))
            await pilot.pause()
            app.render_now()
            await pilot.pause()
            numbers = str(app.screen.query_one("#numbers").render())
            assert app.screen.query_one("#plot").display is plot_shown
            assert app.screen.query_one("#spark").display is spark_shown
            if key == "k-image":
                assert (
                    "128x128" in numbers
                    and "5,500,000" in numbers
                    and "812\n" in numbers + "\n"
                )
            await pilot.press("escape")
