"""How commands print: data on stdout, progress on stderr, JSON or a table.

Conventions shared by every command: ``--json`` prints one JSON document on
stdout (one per line, NDJSON, when a command repeats with ``--watch``); without
it, tables are aligned plain text when stdout is not a terminal (for grep/awk)
and a Rich table when it is. Colour only on a terminal and never when
``NO_COLOR`` is set. Rich is imported lazily: this module sits on the start-up
path of the CLI.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, TextIO

import typer

MISSING = "-"  # how an unknown value is shown; never 0


def colour_enabled(stream: TextIO | None = None) -> bool:
    """True on a terminal unless NO_COLOR is set (https://no-color.org)."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def make_console(stderr: bool = False):
    """A Rich console for stdout (or stderr) that follows the colour rules."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    plain = not colour_enabled(stream)
    return Console(
        file=stream,
        no_color=plain,
        color_system=None if plain else "auto",
        highlight=False,
        soft_wrap=plain,
    )


def progress(message: str) -> None:
    """A progress or status line on stderr (never mixed with data on stdout)."""
    typer.echo(message, err=True)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, tuples and models as plain JSON types."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "model_dump"):  # pydantic, without importing it
        return value.model_dump(mode="json")
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def emit_json(document: Any, *, ndjson: bool = False) -> None:
    """One JSON document on stdout; a single line when ``ndjson``."""
    indent = None if ndjson else 2
    text = json.dumps(to_jsonable(document), indent=indent, allow_nan=False)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def cell(value: Any) -> str:
    """A table cell: unknown (None) as '-', floats shortened."""
    if value is None:
        return MISSING
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (tuple, list)):
        return ",".join(cell(v) for v in value)
    return str(value)


def plain_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Columns aligned with spaces, a header line, no decoration."""
    body = [[cell(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in body:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        for line in [list(columns), *body]
    ]
    return "\n".join(lines)


# Columns of ids that operators copy into the next command: never shortened.
WHOLE_COLUMNS = frozenset(
    {"ID", "WORKFLOW", "JOB", "JOB_ID", "SERVICE", "WORKER", "TOPIC", "GROUP"}
)


WRAPPED_MIN = 10  # narrowest a wrapped column may get while still readable


def _widths(
    columns: Sequence[str], body: list[list[str]], whole: Collection[str]
) -> list[int]:
    """Each column's minimum: whole columns their widest cell, the others a
    readable width (their header, or up to WRAPPED_MIN of their widest cell)."""
    widths = []
    for i, column in enumerate(columns):
        widest = max([len(column), *(len(row[i]) for row in body)])
        narrow = max(len(column), min(widest, WRAPPED_MIN))
        widths.append(widest if column in whole else narrow)
    return widths


def rich_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str | None = None,
    whole: Collection[str] = WHOLE_COLUMNS,
):
    """A Rich table; the ``whole`` columns keep their widest value unwrapped."""
    from rich.table import Table

    body = [[cell(v) for v in row] for row in rows]
    table = Table(title=title, header_style="bold", box=None, pad_edge=False)
    for column, width in zip(columns, _widths(columns, body, whole), strict=True):
        if column in whole:
            table.add_column(column, no_wrap=True, min_width=width)
        else:
            # folded, not cut with an ellipsis: every character stays shown
            table.add_column(column, min_width=width, overflow="fold")
    for row in body:
        table.add_row(*row)
    return table


def fits(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    width: int,
    whole: Collection[str] = WHOLE_COLUMNS,
) -> bool:
    """Whether a Rich table can show every ``whole`` cell in full in ``width``."""
    body = [[cell(v) for v in row] for row in rows]
    return sum(_widths(columns, body, whole)) + 2 * (len(columns) - 1) <= width


def print_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str | None = None,
    console=None,
) -> None:
    """A table on stdout: Rich on a terminal, aligned plain text otherwise.

    Rich wraps long cells but must not cut an id; when the ids alone do not
    fit the terminal, the plain table is shown and the terminal wraps its
    lines. ``console``: a Rich console to print to instead of stdout.
    """
    rows = list(rows)
    if console is None and sys.stdout.isatty():
        console = make_console()
    if console is not None and fits(columns, rows, console.width):
        console.print(rich_table(columns, rows, title))
        return
    text = plain_table(columns, rows)
    text = f"{title}\n{text}" if title else text
    if console is None:
        typer.echo(text)
    else:
        console.file.write(text + "\n")
