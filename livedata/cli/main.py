"""Root of the ``livedata`` CLI.

Start-up must stay light (``--help`` and Tab completion run this module): command
groups import only Typer here; scientific, Kafka and UI libraries are imported
inside the command functions that need them.
"""

from __future__ import annotations

import typer

from . import bench, broker, demo, fake, kafka, service

app = typer.Typer(
    name="livedata",
    help="Live reduction of neutron data on Kafka.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.add_typer(service.app, name="service")
app.add_typer(fake.app, name="fake")
app.add_typer(kafka.app, name="kafka")
app.add_typer(bench.app, name="bench")
app.command("broker")(broker.broker)
app.command("demo")(demo.demo)


def run() -> None:
    """Console-script entry point."""
    app()
