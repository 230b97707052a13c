"""The committed man pages and completion scripts match the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from livedata.cli.manpages import bold, paragraphs, roff

REPO = Path(__file__).resolve().parents[2]


def generated_files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text()
        for folder in ("man", "completions")
        for path in sorted((root / folder).glob("*"))
    }


def test_committed_man_pages_and_completions_are_up_to_date(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "livedata.cli.manpages", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "TYPER_USE_RICH": "0"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = generated_files(tmp_path)
    committed = generated_files(REPO)
    assert "man/livedata.1" in fresh and "man/livedata-kafka-peek.1" in fresh
    assert {"completions/livedata.bash", "completions/livedata.zsh"} <= set(fresh)
    stale = sorted(
        name for name in fresh.keys() | committed.keys()
        if fresh.get(name) != committed.get(name)
    )  # fmt: skip
    assert not stale, (
        f"stale generated files {stale}: run `python -m livedata.cli.manpages`"
    )


def test_generation_is_deterministic(tmp_path: Path) -> None:
    from livedata.cli.manpages import generate

    generate(tmp_path / "a")
    generate(tmp_path / "b")
    assert generated_files(tmp_path / "a") == generated_files(tmp_path / "b")


def test_pages_name_their_command_and_options(tmp_path: Path) -> None:
    from livedata.cli.manpages import generate

    generate(tmp_path)
    peek = (tmp_path / "man" / "livedata-kafka-peek.1").read_text()
    assert peek.startswith('.TH "LIVEDATA-KAFKA-PEEK" "1"')
    assert "\\fB\\-\\-from WHERE\\fR" in peek
    assert "\\fBTOPIC\\fR" in peek and "ad00" in peek
    assert "\\fBlivedata\\-kafka\\fR(1)" in peek  # SEE ALSO the parent
    root = (tmp_path / "man" / "livedata.1").read_text()
    assert ".SH EXIT STATUS" in root and "LIVEDATA_INSTRUMENT" in root
    bash = (tmp_path / "completions" / "livedata.bash").read_text()
    assert "_LIVEDATA_COMPLETE=complete_bash" in bash


def test_roff_escaping() -> None:
    assert roff(".starts with a dot\\n") == "\\&.starts with a dot\\en"
    assert bold("--json") == "\\fB\\-\\-json\\fR"
    assert paragraphs("One\nline.\n\nTwo.") == ["One line.", "Two."]


def test_every_page_has_its_exit_statuses_and_named_metavars(tmp_path: Path) -> None:
    from livedata.cli.manpages import generate

    generate(tmp_path)
    pages = {p.name: p.read_text() for p in (tmp_path / "man").glob("*.1")}
    for name, text in pages.items():
        assert ".SH EXIT STATUS" in text, name
        head = text.split(".SH EXIT STATUS")[0]
        assert "<str>" not in head and "<list[" not in head, name  # Typer's types
    start = pages["livedata-job-start.1"].split(".SH EXIT STATUS")[1]
    assert "\\fB5\\fR\nPartial" in start
    assert "\\fB\\-s, \\-\\-source SOURCE\\fR" in pages["livedata-job-start.1"]
    peek = pages["livedata-kafka-peek.1"].split(".SH EXIT STATUS")[1]
    assert "\\fB2\\fR" in peek and "\\fB3\\fR" not in peek  # sends no command
    assert "\\fB5\\fR" in pages["livedata-job.1"]  # a group: any of its commands
