"""``livedata tui`` as a Typer command: options, light import, keymap errors."""

from __future__ import annotations

import subprocess
import sys

import typer
from typer.testing import CliRunner

from livedata.cli.tui_cmd import tui
from livedata_tui.keymap import KeymapError, load_keymap


def app() -> typer.Typer:
    cli = typer.Typer()
    cli.command("tui")(tui)
    cli.command("other")(lambda: None)  # keep "tui" a named sub-command
    return cli


def test_help_lists_the_options():
    result = CliRunner().invoke(app(), ["tui", "--help"])
    assert result.exit_code == 0
    for option in (
        "--instrument",
        "--bootstrap",
        "--readonly",
        "--refresh",
        "--keymap",
    ):
        assert option in result.output


def test_bad_keymap_is_a_usage_error(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text("pause = [")
    result = CliRunner().invoke(
        app(), ["tui", "--bootstrap", "localhost:1", "--keymap", str(path)]
    )
    assert result.exit_code == 2
    assert "keymap file" in result.output


def test_importing_the_command_does_not_import_textual():
    code = "import livedata.cli.tui_cmd, sys; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"


def test_keymap_yaml_and_lists(tmp_path, monkeypatch):
    path = tmp_path / "keymap.yaml"
    path.write_text("keys:\n  pause: [p, ctrl+space]\n  help: h\n")
    assert load_keymap(path) == {"pause": "p,ctrl+space", "help": "h"}
    monkeypatch.setenv("LIVEDATA_KEYMAP", str(path))
    assert load_keymap() == {"pause": "p,ctrl+space", "help": "h"}
    bad = tmp_path / "bad.toml"
    bad.write_text("pause = 3\n")
    try:
        load_keymap(bad)
    except KeymapError as err:
        assert "'pause'" in str(err)
    else:
        raise AssertionError("a number is not a key name")
