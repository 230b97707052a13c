"""Operator flows through the console on the real control plane: real in-process
services answer its commands and report their jobs; the scene clock drives
heartbeats, staleness and timeouts."""

from __future__ import annotations

import threading
import time

import pytest

from livedata.control.snapshots import CommandOutcome
from livedata.core.commands import JobAction, JobCommand, WorkflowConfig
from livedata_tui.keymap import KeymapError
from livedata_tui.screens.dialogs import ConfirmDialog, HelpScreen
from livedata_tui.screens.start_job import StartJobScreen

from .conftest import SIZE
from .helpers import (
    column_text,
    header_text,
    messages,
    pilot_test,
    redraw,
    row_text,
    show,
    table,
    until,
)
from .scene import JOB, MONITORS, beat_all

MONITOR_SERVICE = "dummy:monitor_data:0"


def commands_sent(system) -> list:
    return [
        c
        for c in system.commands_on_bus()
        if isinstance(c, WorkflowConfig | JobCommand)
    ]


@pilot_test
async def test_start_job_from_the_form_shows_pending_then_ack_and_job_rows(
    system, make_app
):
    system.add_service("monitor_data")
    system.deliver()
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("colon", *"start dummy/mon", "tab", "enter")
        await until(pilot, lambda: isinstance(app.screen, StartJobScreen))
        assert str(app.screen.spec.workflow_id) == MONITORS
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(system.plane.snapshot().commands) == 1)
        (sent,) = system.plane.snapshot().commands
        assert sent.summary == f"start {MONITORS} on monitor1, monitor2"
        configs = commands_sent(system)
        assert [c.job_id.source_name for c in configs] == ["monitor1", "monitor2"]
        assert configs[0].params["toa_edges"]["num_bins"] == 100  # the form's default
        await show(pilot, "commands")
        assert row_text(app, sent.message_id)[1:4] == ["pending", sent.summary, "0/2"]
        assert "pending 1" in header_text(app)

        system.deliver()  # the real service answers
        app.tick()
        await pilot.pause()
        assert row_text(app, sent.message_id)[1:4] == ["ACK", sent.summary, "2/2"]
        assert "pending 0" in header_text(app)
        assert f"{sent.summary}: ACK" in messages(app)

        system.advance(2.0)  # the next heartbeats carry the new jobs
        await show(pilot, "jobs")
        for job_id in sent.job_ids:
            assert row_text(app, job_id)[:3] == [
                "scheduled",
                "monitor_histogram v2",
                job_id.split("/")[0],
            ]


@pilot_test
async def test_stop_needs_confirmation_and_the_service_stops_the_job(system, make_app):
    (job_id,) = system.run_jobs(MONITORS, ["monitor1"])
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "jobs")
        assert row_text(app, job_id)[0] == "scheduled"
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == f"Stop job monitor1/{job_id.split('/')[1][:8]}?"
        await pilot.press("n")
        await pilot.pause()
        assert len(commands_sent(system)) == 1  # only the start
        await pilot.press("x", "y")
        await until(pilot, lambda: len(commands_sent(system)) == 2)
        stop = commands_sent(system)[-1]
        assert (stop.action, str(stop.job_id)) == (JobAction.STOP, job_id)
        system.deliver()
        await until(pilot, lambda: any("ACK" in m for m in messages(app)[1:]))
        system.advance(2.0)
        await redraw(pilot)
        assert row_text(app, job_id)[0] == "stopped"


@pilot_test
async def test_reset_is_acked_and_a_command_nobody_answers_times_out(system, make_app):
    (job_id,) = system.run_jobs(MONITORS, ["monitor1"])
    system.feed.job(JOB, "dummy/panel_0_xy/2")  # its service is not running
    system.deliver()
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "jobs")
        table(app).move_cursor(row=table(app).get_row_index(job_id))
        await pilot.press("R")
        assert "Reset (clear accumulated data of) job" in app.screen.question
        await pilot.press("y")
        await until(pilot, lambda: len(commands_sent(system)) == 2)
        system.deliver()
        await until(pilot, lambda: any(m.startswith("reset ") for m in messages(app)))
        assert f"reset {job_id}: ACK" in messages(app)

        table(app).move_cursor(row=table(app).get_row_index(JOB))
        await pilot.press("x", "y")
        await until(pilot, lambda: len(commands_sent(system)) == 3)
        system.advance(5.0)
        app.tick()
        assert not any(m.startswith(f"stop {JOB}") for m in messages(app))
        system.advance(6.0)  # past the 10 s timeout
        await show(pilot, "commands")
        (row,) = [c for c in app.snapshot.commands if c.summary == f"stop {JOB}"]
        assert row.outcome is CommandOutcome.TIMEOUT
        assert row_text(app, row.message_id)[1:5] == [
            "timeout",
            "stop panel_0/0000000a",
            "0/1",
            "11s",
        ]
        await until(pilot, lambda: f"stop {JOB}: timeout" in messages(app))


@pilot_test
async def test_a_service_goes_stale_when_its_heartbeats_stop_and_stopped_after_a_graceful_shutdown(
    system, make_app
):
    monitor = system.add_service("monitor_data")
    detector = system.add_service("detector_data")
    system.deliver()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        assert column_text(app, "health") == ["OK", "OK"]
        detector.crash()  # no goodbye: heartbeats just stop
        for _ in range(3):
            system.advance(2.0)
        system.advance(0.5)
        app.tick()
        assert row_text(app, "dummy:detector_data:0")[0] == "STALE"
        assert row_text(app, "dummy:detector_data:0")[8] == "6s"
        assert row_text(app, MONITOR_SERVICE)[0] == "OK"
        assert "1 unhealthy" in header_text(app)

        monitor.begin_shutdown()
        system.deliver()
        app.tick()
        assert row_text(app, MONITOR_SERVICE)[0] == "STOPPING"
        monitor.finish_shutdown()
        system.deliver()
        app.tick()
        assert row_text(app, MONITOR_SERVICE)[0] == "STOPPED"
        system.advance(60.0)
        await redraw(pilot)
        assert row_text(app, MONITOR_SERVICE)[0] == "STOPPED"  # never STALE
        assert row_text(app, "dummy:detector_data:0")[0] == "DEAD"  # still listed
        await show(pilot, "notifications")
        assert column_text(app, "text")[:3] == [
            "dummy:detector_data:0 is DEAD",
            f"{MONITOR_SERVICE} is STOPPED",
            "dummy:detector_data:0 is STALE",
        ]


@pilot_test
async def test_space_pauses_rendering_with_a_badge(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        await pilot.press("space")
        assert app.paused and "PAUSED" in header_text(app)
        renders = app.render_count
        scene.feed.service("detector_data", jobs=2, processed_step=1998)
        scene.advance(2.0)
        app.tick()
        await pilot.pause(0.4)  # real ticks too
        assert app.render_count == renders
        assert row_text(app, "dummy:detector_data:0")[6] == "140.0"
        await pilot.press("space")
        assert "PAUSED" not in header_text(app)
        assert row_text(app, "dummy:detector_data:0")[6] == "999.0"


@pilot_test
async def test_filter_sort_and_command_line_filter(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        await pilot.press("slash", *"monitor", "enter")
        assert table(app).shown_keys() == [MONITOR_SERVICE]
        assert "1 of 4  filter: monitor" in table(app).border_subtitle
        await pilot.press("escape")
        assert len(table(app).shown_keys()) == 4
        await pilot.press("s", "s", "s")  # third column: service name
        assert column_text(app, "service") == [
            "data_reduction",
            "detector_data",
            "monitor_data",
            "timeseries",
        ]
        await pilot.press("S")
        assert column_text(app, "service")[0] == "timeseries"
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
async def test_diffing_updates_only_changed_cells(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        before = table(app).updates
        beat_all(scene.feed, 5)
        scene.deliver()
        app.tick()
        # detector and monitor: same rates, same lag, age 0s; only the
        # stopped service's heartbeat age did not move (the clock stood still)
        assert table(app).updates == before
        scene.feed.service("monitor_data", jobs=4)
        scene.deliver()
        app.tick()
        assert table(app).updates - before == 1  # JOBS of one row
        app.tick()  # same version, within a second: nothing read
        assert table(app).updates - before == 1


@pilot_test
async def test_a_burst_of_updates_costs_at_most_one_render_per_tick(scene, make_app):
    app = make_app(refresh_hz=4.0)
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "services")
        scene.plane.start()  # the real pump thread from here on
        v0, renders, t0 = scene.plane.version, app.render_count, time.monotonic()

        def burst() -> None:  # heartbeats far faster than the render tick
            for i in range(100):
                scene.feed.service("detector_data", jobs=i % 5)
                time.sleep(0.005)

        feeder = threading.Thread(target=burst)
        feeder.start()
        await until(pilot, lambda: not feeder.is_alive())
        await pilot.pause(0.6)
        ticks = (time.monotonic() - t0) * app.refresh_hz
        versions = scene.plane.version - v0
        assert versions > ticks + 1  # more changes than ticks ...
        assert app.render_count - renders <= ticks + 1  # ... one render per tick
        assert row_text(app, "dummy:detector_data:0")[5] == "4"  # the last one


@pilot_test
async def test_keymap_remaps_keys_and_unknown_ids_are_refused(scene, make_app):
    app = make_app(keymap={"pause": "p", "view.jobs": "j", "workflow.stop": "k"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert not app.paused
        await pilot.press("p")
        assert app.paused
        await pilot.press("j")
        assert app.screen.view_name == "Jobs"
    with pytest.raises(KeymapError, match=r"unknown binding id.*pasue"):
        make_app(keymap={"pasue": "p"})


@pilot_test
async def test_readonly_refuses_commands(scene, make_app):
    app = make_app(readonly=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "jobs")
        assert "READ-ONLY" in header_text(app)
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmDialog)
        await show(pilot, "workflows")
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmDialog)
        app.run_command("start monitor_histogram")
        await pilot.pause()
        assert not isinstance(app.screen, StartJobScreen)
        assert commands_sent(scene) == commands_sent(scene)[:5]  # the scene's own
        assert len(commands_sent(scene)) == 5
        assert any("read-only" in m for m in messages(app))


@pilot_test
async def test_workflow_stop_and_reset_act_on_every_job_after_confirmation(
    system, make_app
):
    started = system.run_jobs(MONITORS, ["monitor1", "monitor2"])
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "workflows")
        table(app).move_cursor(row=table(app).get_row_index(MONITORS))
        assert row_text(app, MONITORS)[6] == "2"
        await pilot.press("R")
        assert app.screen.question == (
            f"Reset (clear accumulated data of) 2 job(s) of {MONITORS}?"
        )
        await pilot.press("y")
        await until(pilot, lambda: len(commands_sent(system)) == 4)
        resets = commands_sent(system)[2:]
        assert {(c.action, str(c.job_id)) for c in resets} == {
            (JobAction.RESET, j) for j in started
        }
        await pilot.press("x")
        assert app.screen.question == f"Stop 2 job(s) of {MONITORS}?"
        await pilot.press("escape")  # no
        await pilot.pause()
        assert len(commands_sent(system)) == 4
        await pilot.press("x", "y")
        await until(pilot, lambda: len(commands_sent(system)) == 6)
        system.deliver()
        await until(pilot, lambda: any(m.startswith("stop 2") for m in messages(app)))
        system.advance(2.0)
        await redraw(pilot)
        assert row_text(app, MONITORS)[6] == "0"
        await pilot.press("x")  # nothing left to stop
        assert not isinstance(app.screen, ConfirmDialog)
        assert f"{MONITORS} has no running jobs" in messages(app)


@pilot_test
async def test_help_lists_bindings_and_the_rate_keys_retime_the_tick(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, "jobs")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {entry[2] for entry in app.screen.entries}
        assert {"pause", "job.stop", "filter", "command", "quit"} <= ids
        await pilot.press("escape")
        assert app.screen.view_name == "Jobs"
        assert app.tick_interval_s == pytest.approx(1 / 3)
        timer = app._timer
        await pilot.press("plus")
        assert app.refresh_hz == 4.0
        assert app.tick_interval_s == pytest.approx(0.25)
        assert app._timer is not timer  # a new timer; the old one is stopped
        await pilot.press("minus", "minus")
        assert app.refresh_hz == 2.0
        assert app.tick_interval_s == pytest.approx(0.5)
        assert "2 Hz" in header_text(app)
        await pilot.press("ctrl+p")
        await pilot.press(*"Start dummy/total")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, StartJobScreen))
        assert str(app.screen.spec.workflow_id) == "dummy/total_counts/2"


@pilot_test
async def test_exit_when_ends_the_app_at_the_next_tick(scene, make_app):
    stop = []
    app = make_app(exit_when=lambda: bool(stop), refresh_hz=10.0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert app.is_running
        stop.append(True)
        await pilot.pause(0.5)
    assert app.return_code == 0
