"""``livedata kafka``: topic administration, record peeking and consumer lag."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from . import lag, peek
from .common import (
    BootstrapOption,
    ExitCode,
    InstrumentOption,
    fail,
    new_app,
    resolve_bootstrap,
    resolve_instrument,
)

if TYPE_CHECKING:
    from ..kafka.admin import CreatedReport

app = new_app("Kafka administration: topics, records, consumer lag.")
topics_app = new_app("Topics of an instrument.")
app.add_typer(topics_app, name="topics")
app.command("peek")(peek.peek)
app.command("lag")(lag.lag)


MappingOption = Annotated[
    bool | None,
    typer.Option(
        "--dev/--prod",
        help="Only the DEV or only the PROD topics (default: both).",
        show_default=False,
    ),
]


@topics_app.command("create")
def create(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    dev: MappingOption = None,
) -> None:
    """Create every topic of the instrument with its settings (idempotent).

    A topic the broker created but without some of its settings (it refused
    them) is listed as "created ... (without KEY, ...)".
    """
    inst = resolve_instrument(instrument)
    address = resolve_bootstrap(bootstrap)
    from ..kafka.admin import BrokerUnreachable, ClientSettingsRefused
    from ..services.topics import create_instrument_topics

    try:
        report = create_instrument_topics(inst, address, dev=dev)
    except BrokerUnreachable as err:
        fail(str(err))
    except ClientSettingsRefused as err:
        fail(str(err), ExitCode.USAGE)
    for line in report_lines(report):
        typer.echo(line)
    for topic, reason in dict(report.failed).items():
        typer.echo(f"FAILED   {topic}: {reason}", err=True)
    if not report.ok:
        raise typer.Exit(1)


def report_lines(report: CreatedReport) -> list[str]:
    """One stdout line per created or existing topic of a ``CreatedReport``."""
    lines = []
    for topic in report.created:
        refused = report.configs_not_applied.get(topic)
        without = f" (without {', '.join(refused)})" if refused else ""
        lines.append(f"created  {topic}{without}")
    lines.extend(f"exists   {topic}" for topic in report.existing)
    return lines
