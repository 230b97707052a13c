"""Start-up stays light: ``--help`` and Tab completion import no heavy library.

Each check runs in a fresh interpreter, since this test process has long
imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = (
    "scipp",
    "numpy",
    "numba",
    "sciline",
    "textual",
    "panel",
    "confluent_kafka",
    "pydantic",
    "streaming_data_types",
    "rich",
    "yaml",
    "jinja2",
    "h5py",
)

REPORT_HEAVY = f"""
import json, sys
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
sys.stderr.write("HEAVY=" + json.dumps(heavy) + "\\n")
"""


def heavy_modules_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    """Run ``code`` in a fresh interpreter, then list the heavy modules loaded."""
    program = f"try:\n{_indent(code)}\nexcept SystemExit:\n    pass\n{REPORT_HEAVY}"
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )
    line = next(
        (ln for ln in result.stderr.splitlines() if ln.startswith("HEAVY=")), None
    )
    assert line is not None, result.stderr
    return json.loads(line.removeprefix("HEAVY="))


def _indent(code: str) -> str:
    return "\n".join("    " + line for line in code.strip().splitlines())


def test_importing_the_app_imports_no_heavy_module() -> None:
    assert heavy_modules_after("import livedata.cli.main") == []


def test_root_help_imports_no_heavy_module() -> None:
    code = """
import sys
from livedata.cli.main import run
sys.argv = ["livedata", "--help"]
run()
"""
    assert heavy_modules_after(code) == []


def test_every_command_group_module_is_light() -> None:
    """Building the whole command tree (every group's module) stays light."""
    code = """
import typer.main
from livedata.cli.main import app
from livedata.cli.manpages import walk
root = typer.main.get_command(app)
assert len(list(walk(root, root.context_class(root, info_name="livedata"), ()))) > 10
"""
    assert heavy_modules_after(code) == []


def complete(words: str, cword: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "_LIVEDATA_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    return subprocess.run(
        [sys.executable, "-m", "livedata"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("livedata wo", 1, ["workflows"]),
        ("livedata ka", 1, ["kafka"]),
        ("livedata kafka pe", 2, ["peek"]),
        ("livedata workflows list -i du", 4, ["dummy"]),
        ("livedata jo", 1, ["job"]),
        ("livedata job st", 2, ["start", "stop", "status"]),
        ("livedata job start -w dummy/panel_0_x", 4, ["dummy/panel_0_xy/1"]),
    ],
)
def test_bash_completion(words: str, cword: int, expected: list[str]) -> None:
    result = complete(words, cword)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected


def test_completing_a_command_name_stays_light() -> None:
    env = {
        "_LIVEDATA_COMPLETE": "complete_bash",
        "COMP_WORDS": "livedata kafka pe",
        "COMP_CWORD": "2",
    }
    code = "from livedata.cli.main import run\nrun()"
    assert heavy_modules_after(code, env) == []


def test_root_help_lists_commands_with_their_own_help() -> None:
    """The one-line helps in COMMANDS match what each module says."""
    import typer.main

    from livedata.cli.main import COMMANDS, app, load_command

    root = typer.main.get_command(app)
    assert list(COMMANDS) == root.list_commands(None)[: len(COMMANDS)]
    for name, (_, _, short_help) in COMMANDS.items():
        assert load_command(name).get_short_help_str(200) == short_help, name
