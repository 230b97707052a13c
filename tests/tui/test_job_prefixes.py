"""Ids an operator can type and copy in the console: ``:stop``/``:reset``/``:job``
take any unique prefix of a job number (the CLI's matching), and ``c`` copies
the selected row's full job id (OSC 52)."""

from __future__ import annotations

from livedata.core.commands import JobAction, JobCommand
from livedata_tui.screens.detail import RecordScreen
from livedata_tui.screens.dialogs import ConfirmDialog

from .conftest import SIZE
from .helpers import fields, messages, pilot_test, redraw, show, table, until
from .scene import ERR_JOB, JOB, MONITORS, WARN_JOB


def job_commands(system) -> list[JobCommand]:
    return [c for c in system.commands_on_bus() if isinstance(c, JobCommand)]


def number(job_id: str) -> str:
    return job_id.split("/")[1]


@pilot_test
async def test_stop_reset_and_job_take_a_unique_prefix_and_confirm(system, make_app):
    first, second = system.run_jobs(MONITORS, ["monitor1", "monitor2"])
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await redraw(pilot)
        # the shortest prefix that names the first job alone
        prefix = next(
            number(first)[:n]
            for n in range(1, 9)
            if not number(second).startswith(number(first)[:n])
        )
        app.run_command(f"stop {prefix}")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == f"Stop job monitor1/{number(first)[:8]}?"
        await pilot.press("y")
        await until(pilot, lambda: len(job_commands(system)) == 1)
        (stop,) = job_commands(system)
        assert (stop.action, str(stop.job_id)) == (JobAction.STOP, first)

        app.run_command(f"reset monitor2/{number(second)[:4]}")
        await pilot.pause()
        assert "Reset (clear accumulated data of) job monitor2/" in app.screen.question
        await pilot.press("n")  # no: nothing is sent
        await pilot.pause()
        assert len(job_commands(system)) == 1
        app.run_command(f"reset monitor2/{number(second)[:4]}")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: len(job_commands(system)) == 2)
        reset = job_commands(system)[-1]
        assert (reset.action, str(reset.job_id)) == (JobAction.RESET, second)

        app.run_command(f"job {number(second)[:6]}")
        await redraw(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.view_name == f"Job monitor2/{number(second)[:8]}"
        assert fields(app)["job_id"] == second


@pilot_test
async def test_an_ambiguous_or_unknown_prefix_is_one_line_and_sends_nothing(
    scene, make_app
):
    before = len(job_commands(scene))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "jobs")
        app.run_command("stop 0000000")  # the scene's three jobs all start so
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        ambiguous = messages(app)[-1]
        assert ambiguous.startswith("job '0000000' is ambiguous: ")
        assert "\n" not in ambiguous and "panel_0/0000000a" in ambiguous
        app.run_command("reset ffff")
        await pilot.pause()
        assert messages(app)[-1] == "no running job 'ffff'"
        app.run_command("job zz")
        await pilot.pause()
        assert messages(app)[-1] == "no job 'zz'"
        app.run_command("stop")
        await pilot.pause()
        assert messages(app)[-1] == "usage: :stop <job id or prefix>"
        assert app.screen.view_name == "Jobs"
        # the failed job still has a detail, by the prefix the table shows
        app.run_command(f"job {number(ERR_JOB)[:8]}")
        await redraw(pilot)
        assert fields(app)["job_id"] == ERR_JOB
        assert fields(app)["error"] == "cannot load geometry"
    assert len(job_commands(scene)) == before


@pilot_test
async def test_a_readonly_console_opens_jobs_but_stops_none(scene, make_app):
    app = make_app(readonly=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await redraw(pilot)
        app.run_command(f"stop {number(JOB)[:8]}")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert "read-only" in messages(app)[-1]
        app.run_command(f"job {number(WARN_JOB)[:8]}")
        await redraw(pilot)
        assert fields(app)["job_id"] == WARN_JOB


@pilot_test
async def test_c_copies_the_full_job_id_on_jobs_and_results(scene, make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await show(pilot, "jobs")
        table(app).move_cursor(row=table(app).get_row_index(WARN_JOB))
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == WARN_JOB
        assert messages(app)[-1] == f"copied job id {WARN_JOB}"

        await show(pilot, "results")
        key = next(r.key for r in app.snapshot.results if r.job_id == JOB)
        table(app).move_cursor(row=table(app).get_row_index(key))
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == JOB
        assert messages(app)[-1] == f"copied job id {JOB}"
