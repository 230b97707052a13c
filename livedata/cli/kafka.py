"""``livedata kafka``: topic administration, record peeking and consumer lag."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from . import lag, peek
from .common import (
    BootstrapOption,
    ExitCode,
    InstrumentOption,
    JsonOption,
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


@topics_app.command("list")
def list_topics(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    dev: MappingOption = None,
    as_json: JsonOption = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for the broker.")
    ] = 5.0,
) -> None:
    """The instrument's topics: present or MISSING, partitions, records held.

    RECORDS is the high watermark minus the low one summed over partitions
    (the embedded broker counts a producer batch as one). Exit 1 when a topic
    is missing or the broker is unreachable.
    """
    inst = resolve_instrument(instrument)
    from .common import reachable_settings
    from .output import emit_json, print_table

    address, settings = reachable_settings(bootstrap, timeout)
    from confluent_kafka import Consumer, TopicPartition

    from ..services.topics import topics_to_create

    wanted = sorted(topics_to_create(inst, dev=dev))
    consumer = Consumer(
        {
            **settings,
            "bootstrap.servers": address,
            "group.id": "livedata_cli_topics",
            "log_level": 0,
        }
    )
    rows = []
    try:
        present = consumer.list_topics(timeout=timeout).topics
        for name in wanted:
            meta = present.get(name)
            if meta is None or meta.error is not None:
                rows.append({"topic": name, "present": False})
                continue
            records = 0
            for partition in meta.partitions:
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(name, partition), timeout=timeout
                )
                records += max(0, high - low)
            rows.append(
                {
                    "topic": name,
                    "present": True,
                    "partitions": len(meta.partitions),
                    "records": records,
                }
            )
    except Exception as err:  # the broker went away between the calls
        fail(f"listing topics failed: {err}")
    finally:
        consumer.close()
    if as_json:
        emit_json(rows)
    else:
        print_table(
            ("TOPIC", "STATE", "PARTITIONS", "RECORDS"),
            [
                (
                    r["topic"],
                    "present" if r["present"] else "MISSING",
                    r.get("partitions"),
                    r.get("records"),
                )
                for r in rows
            ],
        )
    if not all(r["present"] for r in rows):
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
