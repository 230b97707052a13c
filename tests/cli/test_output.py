"""Output conventions: tables, '-' for unknown, JSON, colour rules, exit codes."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from enum import StrEnum

import pytest

from livedata.cli import output
from livedata.cli.common import ExitCode, complete_instrument, instrument_names
from livedata.control.snapshots import LagRow


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_exit_codes_are_the_documented_values() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5, 6]
    assert ExitCode.NO_ACK == 3 and ExitCode.ERR == 4 and ExitCode.PARTIAL == 5
    assert ExitCode.UNHEALTHY == 6


def test_unknown_values_render_as_dash_never_zero() -> None:
    assert output.cell(None) == "-"
    assert output.cell(0) == "0"
    assert output.cell(0.123456) == "0.1235"


def test_plain_table_aligns_columns() -> None:
    text = output.plain_table(("A", "LONGER"), [("xyz", None), ("q", 12)])
    assert text.splitlines() == ["A    LONGER", "xyz  -", "q    12"]


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Sample:
    colour: Colour
    sizes: tuple[int, ...]
    missing: float | None


def test_to_jsonable_handles_dataclasses_enums_tuples_nan() -> None:
    doc = output.to_jsonable([Sample(Colour.RED, (1, 2), None), float("nan")])
    assert json.dumps(doc) == (
        '[{"colour": "red", "sizes": [1, 2], "missing": null}, null]'
    )


def test_emit_json_one_document_or_one_line(capsys: pytest.CaptureFixture) -> None:
    row = LagRow("g", "t", 0, None, 1.5)
    output.emit_json({"rows": [row]})
    output.emit_json({"n": 1}, ndjson=True)
    out = capsys.readouterr().out
    first, last = out[: out.rindex("{")], out[out.rindex("{") :]
    assert json.loads(first)["rows"][0]["offset_lag"] is None
    assert last == '{"n": 1}\n'


def test_colour_only_on_a_terminal_and_not_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert output.colour_enabled(FakeTerminal())
    assert not output.colour_enabled(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not output.colour_enabled(FakeTerminal())


def test_console_writes_no_escape_codes_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    console = output.make_console()
    console.print("[bold red]alarm[/]")
    assert terminal.getvalue() == "alarm\n"


def test_console_colours_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    output.make_console().print("[bold red]alarm[/]")
    assert "\x1b[" in terminal.getvalue()


def test_instrument_names_found_without_importing_specs() -> None:
    assert "dummy" in instrument_names()
    assert complete_instrument("du") == ["dummy"]
    assert complete_instrument("zz") == []


JOB_ROW = [
    "active",
    "dummy/monitor_histogram/2",
    "monitor1/0a539e42-35a3-4817-a2f7-b804b3ef32e1",
    "2026-01-01 10:00:00",
    "2026-01-01 11:00:00",
    "a long warning message about something that is going on",
]
JOB_COLUMNS = ["STATE", "WORKFLOW", "JOB", "START", "END", "MESSAGE"]


def _terminal(width: int):
    from rich.console import Console

    out = io.StringIO()
    return out, Console(file=out, width=width, no_color=True, color_system=None)


@pytest.mark.parametrize("width", [120, 100, 80])
def test_ids_are_never_cut_on_a_narrow_terminal(width: int) -> None:
    out, console = _terminal(width)
    output.print_table(JOB_COLUMNS, [JOB_ROW], console=console)
    text = out.getvalue()
    assert JOB_ROW[1] in text and JOB_ROW[2] in text  # whole, on one line
    assert "…" not in text
    if width >= 120:  # Rich wrapped the other cells to fit the terminal
        assert max(len(line) for line in text.splitlines()) <= width
        assert "something" in text and JOB_ROW[-1] not in text
    else:  # the ids alone are too wide: plain lines, the terminal wraps them
        assert text == output.plain_table(JOB_COLUMNS, [JOB_ROW]) + "\n"
