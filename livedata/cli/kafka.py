"""``livedata kafka``: topic administration."""

from __future__ import annotations

import typer

from .common import (
    BootstrapOption,
    DevOption,
    InstrumentOption,
    fail,
    resolve_bootstrap,
    resolve_instrument,
)

app = typer.Typer(help="Kafka administration.", no_args_is_help=True)
topics_app = typer.Typer(help="Topics of an instrument.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")


@topics_app.command("create")
def create(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """Create every topic of the instrument with its settings (idempotent)."""
    inst = resolve_instrument(instrument)
    address = resolve_bootstrap(bootstrap)
    from ..kafka.admin import BrokerUnreachable
    from ..services.topics import create_instrument_topics

    try:
        report = create_instrument_topics(inst, address, dev=dev)
    except BrokerUnreachable as err:
        fail(str(err))
    for topic in report.created:
        typer.echo(f"created  {topic}")
    for topic in report.existing:
        typer.echo(f"exists   {topic}")
    for topic, reason in dict(report.failed).items():
        typer.echo(f"FAILED   {topic}: {reason}", err=True)
    if not report.ok:
        raise typer.Exit(1)
