"""The ``:logs`` view on real files: the tail of every service's log, then the
lines written after, one service at a time with ``f``; offered only where the
console knows the folder."""

from __future__ import annotations

from pathlib import Path

from livedata_tui.logtail import LogFolder, last_lines
from livedata_tui.screens.logs import LogsScreen

from .conftest import SIZE
from .helpers import messages, pilot_test, until

TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "livedata/core/job.py", line 12, in finalise',
    "ValueError: bins must increase",
]


def write(path: Path, *lines: str, end: str = "\n") -> None:
    with path.open("a") as f:
        f.write("\n".join(lines) + end)


def demo_logs(folder: Path) -> Path:
    """What ``livedata demo`` leaves: one ``<name>.log`` per child."""
    folder.mkdir()
    write(
        folder / "data_reduction.log",
        *(f"old line {i}" for i in range(300)),
        "service data_reduction started",
    )
    write(folder / "detector_data.log", "service detector_data started")
    write(folder / "fake_detectors.log", "producing ev44 on dummy_detector")
    return folder


def test_the_tail_then_new_complete_lines_and_a_truncated_file_again(tmp_path):
    folder = demo_logs(tmp_path / "logs")
    lines, _ = last_lines(folder / "data_reduction.log", 3)
    assert lines == ["old line 298", "old line 299", "service data_reduction started"]
    logs = LogFolder(folder, tail=2)
    first = logs.read()
    assert [(x.source, x.text) for x in first if x.source == "data_reduction"] == [
        ("data_reduction", "old line 299"),
        ("data_reduction", "service data_reduction started"),
    ]
    assert logs.read() == []  # nothing new
    write(folder / "detector_data.log", "half a li", end="")
    assert logs.read() == []  # held back until its newline
    write(folder / "detector_data.log", "ne", "next")
    assert [x.text for x in logs.read()] == ["half a line", "next"]
    (folder / "detector_data.log").write_text("after a restart\n")
    assert [x.text for x in logs.read()] == ["after a restart"]


@pilot_test
async def test_logs_view_follows_every_service_and_filters_by_key(
    system, make_app, tmp_path
):
    folder = demo_logs(tmp_path / "logs")
    app = make_app(logs_dir=folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("colon", *"logs", "enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, LogsScreen) and app.screen.is_mounted,
        )
        await pilot.pause()
        screen = app.screen
        shown = screen.shown_text()
        assert "data_reduction service data_reduction started" in [
            " ".join(x.split()) for x in shown
        ]
        assert any("fake_detectors" in x and "ev44" in x for x in shown)
        assert len(shown) == 200 + 2  # the tail of each file (200 lines at most)

        write(folder / "data_reduction.log", *TRACEBACK)
        await until(pilot, lambda: "bins must increase" in screen.shown_text()[-1])
        assert screen.shown_text()[-3].endswith(TRACEBACK[0])

        await pilot.press("f")  # one service: the first log by name
        await pilot.pause()
        assert screen.view_name == "Logs data_reduction"
        assert screen.shown_text()[-3:] == TRACEBACK  # unmarked: one service
        assert not any("ev44" in x for x in screen.shown_text())
        await pilot.press("f")
        await pilot.pause()
        assert screen.shown_text() == ["service detector_data started"]
        write(folder / "detector_data.log", "stopping")
        await until(pilot, lambda: screen.shown_text()[-1] == "stopping")
        await pilot.press("f", "f")  # fake_detectors, then all again
        await pilot.pause()
        assert screen.view_name == "Logs (all)"
        assert len(screen.shown_text()) == 202 + len(TRACEBACK) + 1

        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LogsScreen))
        app.run_command("logs detector_data")  # straight to one service
        await until(
            pilot,
            lambda: isinstance(app.screen, LogsScreen) and app.screen.is_mounted,
        )
        await pilot.pause()
        assert app.screen.shown_text() == ["service detector_data started", "stopping"]


@pilot_test
async def test_without_a_logs_folder_the_view_is_not_offered(system, make_app):
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("colon")
        line = app.screen.query_one("#command-line")
        assert "logs" not in line.suggester._suggestions
        await pilot.press("escape")
        app.run_command("logs")
        await pilot.pause()
        assert not isinstance(app.screen, LogsScreen)
        assert messages(app)[-1].startswith("no logs here")


@pilot_test
async def test_back_from_logs_the_keys_go_to_the_table_not_the_filter(
    scene, make_app, tmp_path
):
    """With a filter active, closing the command line once gave the focus to the
    filter's input: the next key (here ``z``) was typed into it."""
    app = make_app(logs_dir=demo_logs(tmp_path / "logs"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon", *"results panel_0", "enter")
        await until(pilot, lambda: app.screen.query_one("#table").filter_text)
        await pilot.press("colon", *"logs", "enter")
        await until(pilot, lambda: isinstance(app.screen, LogsScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LogsScreen))
        assert app.focused is app.screen.query_one("#table")
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.query_one("#table").filter_text == "panel_0"
