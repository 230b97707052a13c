"""Operator flows through the console against the clock-driven fake plane."""

from __future__ import annotations

import os
import signal

from livedata.control.snapshots import CommandOutcome
from livedata.workflows.edges import CoordinateMode
from livedata_tui.keymap import load_keymap
from livedata_tui.screens.dialogs import ConfirmDialog, HelpScreen
from livedata_tui.screens.start_job import StartJobScreen
from livedata_tui.widgets.status_header import StatusHeader

from .conftest import SIZE
from .helpers import column_text, pilot_test, row_text, show, table, until
from .scene import JOB


def header_text(app) -> str:
    return str(app.screen.query_one(StatusHeader).render())


@pilot_test
async def test_start_job_from_form_shows_pending_then_ack_and_jobs(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"start dummy/mon", "tab", "enter")
        await until(pilot, lambda: isinstance(app.screen, StartJobScreen))
        assert str(app.screen.spec.workflow_id) == "dummy/monitor_histogram/1"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(plane.sent) == 1)
        sent = plane.sent[0]
        assert sent.summary == "start monitor_histogram on monitor1, monitor2"
        await show(pilot, "commands")
        assert row_text(app, sent.message_id)[1:4] == [
            "pending",
            sent.summary,
            "0/2",
        ]
        assert "pending 1" in header_text(app)
        plane.advance(1.0)
        await until(
            pilot, lambda: app.snapshot.commands[-1].outcome is CommandOutcome.ACK
        )
        await pilot.pause()
        assert row_text(app, sent.message_id)[1:4] == ["ACK", sent.summary, "2/2"]
        assert "pending 0" in header_text(app)
        await show(pilot, "jobs")
        for job_id in sent.job_ids:
            assert row_text(app, job_id)[:3] == [
                "active",
                "monitor_histogram",
                job_id.split("/")[0],
            ]
    assert not plane.waited_on_main_thread


@pilot_test
async def test_form_fills_defaults_and_shows_errors_at_the_field(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.run_command("start monitor_histogram")
        await pilot.pause()
        form = app.screen
        assert (
            form.query_one("#f-coordinate_mode").value is CoordinateMode.TIME_OF_ARRIVAL
        )
        assert form.query_one("#f-toa_edges-num_bins").value == "100"
        assert form.query_one("#f-toa_edges-start").value == "0.0"
        form.query_one("#f-toa_edges-num_bins").value = "0"
        form.query_one("#f-wavelength_edges-stop").value = "0.1"  # below start 0.5
        await pilot.press("ctrl+s")
        await pilot.pause()
        bins_error = str(form.query_one("#err-toa_edges-num_bins").render())
        assert "greater than or equal to 1" in bins_error
        group_error = str(form.query_one("#err-wavelength_edges").render())
        assert "stop must be greater than start" in group_error
        assert str(form.query_one("#err-toa_edges-start").render()) == ""
        assert isinstance(app.screen, StartJobScreen)
        assert plane.sent == []
        form.query_one("#f-toa_edges-num_bins").value = "50"
        form.query_one("#f-wavelength_edges-stop").value = "5"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(plane.sent) == 1)
        assert not isinstance(app.screen, StartJobScreen)


@pilot_test
async def test_stop_needs_confirmation(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "jobs")
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Stop job panel_0/0000000a?" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert plane.sent == []
        await pilot.press("x", "y")
        await until(pilot, lambda: len(plane.sent) == 1)
        assert plane.sent[0].job_ids == (JOB,)
        plane.advance(1.0)
        await until(
            pilot, lambda: app.snapshot.commands[-1].outcome is CommandOutcome.ACK
        )
        app.render_now()
        assert row_text(app, JOB)[0] == "stopped"


@pilot_test
async def test_reset_needs_confirmation_and_reports_errors(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "jobs")
        plane.reject_next("job not found")
        await pilot.press("R", "y")
        await until(pilot, lambda: len(plane.sent) == 1)
        assert plane.sent[0].summary == "reset 1 job(s)"
        plane.advance(1.0)
        await until(
            pilot, lambda: any("job not found" in n.message for n in app._notifications)
        )


@pilot_test
async def test_service_goes_stale_then_stopped(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        key = "dummy:monitor_data:0"
        assert row_text(app, key)[0] == "OK"
        plane.advance(7.0)
        app.tick()
        assert row_text(app, key)[0] == "STALE"
        assert row_text(app, key)[8] == "7s"
        assert "3 unhealthy" in header_text(app)
        plane.heartbeat("monitor_data", state="stopped")
        app.tick()
        assert row_text(app, key)[0] == "STOPPED"


@pilot_test
async def test_space_pauses_rendering_with_a_badge(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        await pilot.press("space")
        assert app.paused and "PAUSED" in header_text(app)
        calls = plane.snapshot_calls
        plane.heartbeat("detector_data", messages_per_s=999.0)
        app.tick()
        await pilot.pause(0.4)  # real ticks too
        assert plane.snapshot_calls == calls
        assert row_text(app, "dummy:detector_data:0")[6] == "140.0"
        await pilot.press("space")
        assert "PAUSED" not in header_text(app)
        assert row_text(app, "dummy:detector_data:0")[6] == "999.0"


@pilot_test
async def test_filter_sort_and_command_line_filter(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        await pilot.press("slash", *"monitor", "enter")
        assert table(app).shown_keys() == ["dummy:monitor_data:0"]
        await pilot.press("escape")
        assert len(table(app).shown_keys()) == 3
        await pilot.press("s", "s", "s")  # third column: service name
        assert column_text(app, "service") == [
            "detector_data",
            "monitor_data",
            "timeseries",
        ]
        await pilot.press("S")
        assert column_text(app, "service") == [
            "timeseries",
            "monitor_data",
            "detector_data",
        ]
        app.run_command("jobs panel_0_xy")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.view_name == "Jobs"
        assert table(app).filter_text == "panel_0_xy"
        assert table(app).shown_keys() == [JOB]
        app.run_command("wf")
        await pilot.pause()
        assert app.screen.view_name == "Workflows"
        app.run_command("q")
        await pilot.pause()
    assert app.return_code == 0


@pilot_test
async def test_diffing_updates_only_changed_cells(make_app, plane):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        before = table(app).updates
        plane.heartbeat(
            "detector_data", job_count=1, messages_per_s=150.0, consumer_lag=3
        )
        app.tick()
        assert table(app).updates - before == 1  # just MSG/S; age stayed 0s
        app.tick()  # same version, within a second: nothing read
        assert table(app).updates - before == 1


@pilot_test
async def test_keymap_file_remaps_pause(make_app, plane, tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\npause = "p"\n"view.jobs" = "j"\n')
    app = make_app(keymap=load_keymap(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert not app.paused
        await pilot.press("p")
        assert app.paused
        await pilot.press("j")
        assert app.screen.view_name == "Jobs"


@pilot_test
async def test_readonly_refuses_commands(make_app, plane):
    app = make_app(readonly=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "jobs")
        assert "READ-ONLY" in header_text(app)
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmDialog)
        app.run_command("start monitor_histogram")
        await pilot.pause()
        assert not isinstance(app.screen, StartJobScreen)
        assert plane.sent == []
        assert any("read-only" in n.message for n in app._notifications)


@pilot_test
async def test_help_rate_and_palette(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "jobs")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {entry[2] for entry in app.screen.entries}
        assert {"pause", "job.stop", "filter", "command"} <= ids
        await pilot.press("escape")
        assert app.screen.view_name == "Jobs"
        await pilot.press("plus")
        assert app.refresh_hz == 4.0
        await pilot.press("minus", "minus")
        assert app.refresh_hz == 2.0
        await pilot.press("ctrl+p")
        await pilot.press(*"Start dummy/total")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, StartJobScreen))
        assert str(app.screen.spec.workflow_id) == "dummy/total_counts/1"


@pilot_test
async def test_sighup_exits_cleanly(make_app):
    app = make_app(handle_signals=True)
    async with app.run_test(size=SIZE) as pilot:
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause(0.2)
    assert app.return_code == 0
