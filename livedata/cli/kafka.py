"""``livedata kafka``: topic administration, record peeking and consumer lag."""

from __future__ import annotations

import typer

from . import lag, peek
from .common import (
    BootstrapOption,
    DevOption,
    InstrumentOption,
    fail,
    new_app,
    resolve_bootstrap,
    resolve_instrument,
)

app = new_app("Kafka administration: topics, records, consumer lag.")
topics_app = new_app("Topics of an instrument.")
app.add_typer(topics_app, name="topics")
app.command("peek")(peek.peek)
app.command("lag")(lag.lag)


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
