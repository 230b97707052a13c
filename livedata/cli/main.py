"""Root of the ``livedata`` CLI.

Start-up must stay light (``--help`` and Tab completion run this module): command
groups import only Typer here; scientific, Kafka and UI libraries are imported
inside the command functions that need them.
"""

from __future__ import annotations

import typer

from .bench import app as bench_app

app = typer.Typer(
    name="livedata",
    help="Live reduction of neutron data on Kafka.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.add_typer(bench_app, name="bench")


def run() -> None:
    """Console-script entry point."""
    app()
