"""Options and error reporting shared by command groups (imports stay light)."""

from __future__ import annotations

from typing import Annotated

import typer

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

InstrumentOption = Annotated[
    str,
    typer.Option(
        "--instrument", "-i", envvar="LIVEDATA_INSTRUMENT", help="Instrument name."
    ),
]
BootstrapOption = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        help="Kafka bootstrap HOST:PORT (else LIVEDATA_KAFKA_BOOTSTRAP, else config).",
        show_default=False,
    ),
]
DevOption = Annotated[
    bool, typer.Option("--dev/--prod", help="DEV or PROD stream mapping.")
]


def fail(message: str, code: int = EXIT_ERROR) -> None:
    """One line on stderr, then exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def resolve_instrument(name: str):
    from ..instruments import UnknownInstrument, get_instrument

    try:
        return get_instrument(name)
    except UnknownInstrument as err:
        fail(str(err), EXIT_USAGE)


def resolve_bootstrap(bootstrap: str | None) -> str:
    from ..config import ConfigError, kafka_client_config

    try:
        return kafka_client_config(bootstrap)["bootstrap.servers"]
    except (ConfigError, KeyError) as err:
        fail(f"no Kafka bootstrap address: {err}", EXIT_USAGE)
