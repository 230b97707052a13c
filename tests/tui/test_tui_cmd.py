"""``livedata tui`` (and the demo's console): options, light import, keymap errors,
and the options reaching the app, in-process and through the real command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from livedata.cli.demo import demo
from livedata.cli.tui_cmd import ConsoleOptions, console_options, make_console, tui
from livedata.instruments import get_instrument
from livedata_tui.app import binding_ids
from livedata_tui.keymap import KeymapError, load_keymap
from tests.broker_fixture import module_kafka_broker  # noqa: F401

from .conftest import SIZE
from .scene import previous_session_config

REPO = Path(__file__).resolve().parents[2]


def app() -> typer.Typer:
    cli = typer.Typer()
    cli.command("tui")(tui)
    cli.command("demo")(demo)
    return cli


@pytest.mark.parametrize("command", ["tui", "demo"])
def test_help_lists_the_console_options(command):
    result = CliRunner().invoke(app(), [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--readonly", "--refresh", "--keymap", "--mouse", "--no-mouse"):
        assert option in result.output


def tui_with_keymap(path: Path, text: str):
    """``livedata tui --keymap path`` with ``text`` in the file (no broker needed:
    the keymap is read first)."""
    path.write_text(text)
    return CliRunner().invoke(
        app(), ["tui", "--bootstrap", "localhost:1", "--keymap", str(path)]
    )


def test_bad_keymap_is_a_usage_error(tmp_path):
    result = tui_with_keymap(tmp_path / "keymap.toml", "pause = [")
    assert result.exit_code == 2
    assert "keymap file" in result.output


def test_unknown_binding_ids_are_a_usage_error_naming_them(tmp_path):
    path = tmp_path / "keymap.toml"
    result = tui_with_keymap(path, 'pause = "p"\npasue = "q"\n"view.jbos" = "j"\n')
    assert result.exit_code == 2
    line = result.output.strip().splitlines()[-1]
    assert line.startswith(f"error: keymap file {path}: unknown binding id(s) ")
    assert "pasue, view.jbos" in line and "known: " in line


def test_importing_the_command_does_not_import_textual():
    code = (
        "import livedata.cli.tui_cmd, livedata.cli.demo, sys;"
        " print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"


def test_keymap_yaml_and_lists(tmp_path, monkeypatch):
    path = tmp_path / "keymap.yaml"
    path.write_text("keys:\n  pause: [p, ctrl+space]\n  help: h\n")
    assert load_keymap(path, binding_ids()) == {"pause": "p,ctrl+space", "help": "h"}
    monkeypatch.setenv("LIVEDATA_KEYMAP", str(path))
    assert load_keymap() == {"pause": "p,ctrl+space", "help": "h"}
    bad = tmp_path / "bad.toml"
    bad.write_text("pause = 3\n")
    with pytest.raises(KeymapError, match="'pause'"):
        load_keymap(bad)


def test_every_binding_of_the_console_has_a_remappable_id():
    ids = binding_ids()
    assert {"pause", "help", "quit", "filter", "job.stop", "workflow.stop"} <= ids
    assert {f"view.{v}" for v in ("services", "lag", "notifications")} <= ids
    assert {"form.submit", "back"} <= ids


def test_console_options_carry_the_command_line(tmp_path, monkeypatch):
    monkeypatch.delenv("LIVEDATA_KEYMAP", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.config/livedata/keymap.*
    assert console_options() == ConsoleOptions()
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\nhelp = "h"\n')
    options = console_options(readonly=True, refresh=2.0, keymap=path, mouse=False)
    assert options == ConsoleOptions(True, 2.0, {"help": "h"}, False)


def test_make_console_passes_every_option_to_the_app(system):
    options = ConsoleOptions(
        readonly=True, refresh_hz=6.0, keymap={"help": "h"}, mouse=False
    )
    console = make_console(get_instrument("dummy"), system.plane, options)
    seen = {}

    async def autopilot(pilot):
        await pilot.pause()
        await pilot.press("h")  # the remapped help key
        await pilot.pause()
        seen["screen"] = type(pilot.app.screen).__name__
        seen["mouse"] = pilot.app._driver._mouse
        pilot.app.exit()

    console.run(headless=True, size=SIZE, auto_pilot=autopilot)
    assert (console.readonly, console.refresh_hz) == (True, 6.0)
    assert console.tick_interval_s == pytest.approx(1 / 6)
    assert seen == {"screen": "HelpScreen", "mouse": False}
    assert console.workflows.keys() == {
        str(s.workflow_id) for s in get_instrument("dummy").workflows.specs()
    }


@pytest.mark.integration
@pytest.mark.slow
def test_the_real_command_on_a_broker_restores_configs_and_takes_its_options(
    module_kafka_broker,  # noqa: F811
    tmp_path,
):
    """``livedata tui`` as a process on the embedded broker, Textual's headless
    driver instead of a terminal: it presses keys, saves a screenshot, exits."""
    from livedata.control.kafka_transport import KafkaTransport
    from livedata.core.message import Message
    from livedata.core.stream import COMMANDS_STREAM
    from livedata.core.timestamp import Timestamp
    from livedata.services.topics import create_instrument_topics

    bootstrap = module_kafka_broker.bootstrap
    assert create_instrument_topics(get_instrument("dummy"), bootstrap).ok
    transport = KafkaTransport("dummy", bootstrap)
    transport.send(Message(Timestamp.now(), COMMANDS_STREAM, previous_session_config()))
    transport.close()
    keymap = tmp_path / "keys.toml"
    keymap.write_text('help = "h"\n')

    def run(name: str, keys: str, *options: str) -> str:
        env = {
            **os.environ,
            "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
            "TEXTUAL_PRESS": keys,
            "TEXTUAL_SCREENSHOT": "3",
            "TEXTUAL_SCREENSHOT_LOCATION": str(tmp_path),
            "TEXTUAL_SCREENSHOT_FILENAME": f"{name}.svg",
        }
        argv = [sys.executable, "-m", "livedata", "tui", "--bootstrap", bootstrap]
        done = subprocess.run(
            [*argv, "--keymap", str(keymap), *options],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        # SVG text uses &#160; for spaces
        return (tmp_path / f"{name}.svg").read_text().replace("&#160;", " ")

    watched = run("readonly", "h", "--readonly", "--refresh", "2", "--no-mouse")
    assert "READ-ONLY" in watched and "2 Hz" in watched
    assert "remap by id" in watched  # "h" opened the help: the keymap arrived
    typed = ",".join(
        ["colon", *"start", "space", *"monitor", "underscore", *"histogram"]
    )
    form = run("form", f"{typed},enter")
    assert "Beam monitor spectrum" in form
    assert ">42<" in form  # the restored number of bins


GUARDED = """
import sys, threading, time
from livedata.cli import tui_cmd
from livedata.core.stop_signal import StopSignal
tui_cmd.HANGUP_GRACE_S = 0.3
stop, done = StopSignal(), threading.Event()
tui_cmd.guard_exit(stop, done, lambda: 7)
stop.set()
if sys.argv[1] == "hung":
    threading.Event().wait(30)  # a console stuck on a dead terminal
done.set()
time.sleep(1.0)
sys.exit(3)
"""


@pytest.mark.parametrize(("case", "code"), [("hung", 7), ("finished", 3)])
def test_the_exit_guard_ends_a_process_stuck_after_a_stop_signal(case, code):
    begin = time.monotonic()
    done = subprocess.run([sys.executable, "-c", GUARDED, case], cwd=REPO, timeout=60)
    assert done.returncode == code
    assert time.monotonic() - begin < 20
