"""``livedata fake``: fake producers at real pace, for development and demos."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..core.stop_signal import StopSignal, stop_on_signals
from .common import (
    BootstrapOption,
    DevOption,
    ExitCode,
    InstrumentOption,
    config_problem,
    fail,
    resolve_instrument,
)

app = typer.Typer(help="Fake data producers (ev44, ad00, f144).", no_args_is_help=True)


def _rate_option(unit: str) -> Any:
    return typer.Option("--rate", min=0.0, help=unit, show_default=False)


def _check_topics(address: str, settings: dict, topics: frozenset[str]) -> None:
    """Exit with one line unless the broker answers and has every topic: a
    record for a missing topic fails only after minutes, one at a time."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    def reason(err: KafkaException) -> str:
        return err.args[0].str() if err.args else str(err)

    try:
        admin = AdminClient({**settings, "bootstrap.servers": address, "log_level": 0})
    except KafkaException as err:  # librdkafka refused the (security) settings
        fail(f"Kafka client settings refused: {reason(err)}", ExitCode.USAGE)
    try:
        present = set(admin.list_topics(timeout=5.0).topics)
    except KafkaException as err:
        fail(f"no Kafka broker answered at {address} within 5 s ({reason(err)})")
    missing = sorted(topics - present)
    if missing:
        fail(
            f"topics not found on the broker: {', '.join(missing)}"
            " (create them with `livedata kafka topics create`)"
        )


def _run(
    kind: str, instrument: str, rate: float | None, bootstrap: str | None, dev: bool
) -> None:
    inst = resolve_instrument(instrument)
    if rate is not None and rate <= 0:
        fail("--rate must be above 0", ExitCode.USAGE)
    from ..config import ConfigError
    from ..config.kafka_connection import kafka_connection
    from ..instruments.fakes import fake_topics
    from ..services.fakes import run_fake

    try:
        connection = kafka_connection(bootstrap)
    except ConfigError as err:
        fail(f"configuration: {config_problem(err)}", ExitCode.USAGE)
    topics = fake_topics(kind, inst.stream_mapping(dev))
    _check_topics(connection.bootstrap, dict(connection.settings), topics)

    stop = StopSignal()
    stop_on_signals(stop)
    typer.echo(
        f"fake {kind} for {inst.name} -> {connection.bootstrap} (Ctrl-C stops)",
        err=True,
    )
    report = run_fake(
        kind,
        inst,
        rate=rate,
        bootstrap=connection.bootstrap,
        dev=dev,
        stop=stop,
        client_config=connection.settings,
    )
    failed = f" ({report.failed} not delivered)" if report.failed else ""
    typer.echo(f"sent {report.sent} messages{failed}", err=True)


@app.command("detectors")
def detectors(
    instrument: InstrumentOption = "dummy",
    rate: Annotated[
        float | None,
        _rate_option("Events/s for the whole instrument, split across its banks."),
    ] = None,
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """ev44 detector events, 14 Hz pulses (default 1e6 events/s in total)."""
    _run("detectors", instrument, rate, bootstrap, dev)


@app.command("monitors")
def monitors(
    instrument: InstrumentOption = "dummy",
    rate: Annotated[float | None, _rate_option("Events/s per monitor.")] = None,
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """ev44 monitor events, 14 Hz pulses (default 1e4 events/s per monitor)."""
    _run("monitors", instrument, rate, bootstrap, dev)


@app.command("area")
def area(
    instrument: InstrumentOption = "dummy",
    rate: Annotated[float | None, _rate_option("Counts/s per camera.")] = None,
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """ad00 camera frames at 14 Hz (default 1e5 counts/s)."""
    _run("area", instrument, rate, bootstrap, dev)


@app.command("logs")
def logs(
    instrument: InstrumentOption = "dummy",
    rate: Annotated[float | None, _rate_option("Updates/s per log.")] = None,
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """f144 log values (e.g. motion1, motion2) moving slowly (default 2 updates/s)."""
    _run("logs", instrument, rate, bootstrap, dev)
