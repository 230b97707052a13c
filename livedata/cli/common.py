"""Options, exit codes and error reporting shared by every command group.

Imported on the ``--help`` and Tab-completion paths, so only Typer and the
standard library are imported at module level; everything else is imported
inside the functions that need it.
"""

from __future__ import annotations

import importlib.util
import pkgutil
from enum import IntEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer


class ExitCode(IntEnum):
    """What a command's exit status means, the same for every command (scripting)."""

    OK = 0
    ERROR = 1  # e.g. broker unreachable; said in one line on stderr
    USAGE = 2  # bad usage or invalid input (Typer's own usage errors exit 2 too)
    NO_ACK = 3  # a command got no acknowledgement in time
    ERR = 4  # a service answered ERR
    PARTIAL = 5  # some answers ACK, others ERR or missing


# Older names, kept for the modules that use them.
EXIT_OK = ExitCode.OK
EXIT_ERROR = ExitCode.ERROR
EXIT_USAGE = ExitCode.USAGE


def new_app(help: str, **kwargs) -> typer.Typer:
    """A command group with plain (Click) help: Rich help costs ~0.2 s of start-up."""
    kwargs.setdefault("no_args_is_help", True)
    return typer.Typer(help=help, rich_markup_mode=None, **kwargs)


def _instruments_path() -> list[str]:
    # find_spec locates the package without executing its __init__ (which
    # imports pydantic through the instrument registry).
    spec = importlib.util.find_spec("livedata.instruments")
    return list(spec.submodule_search_locations or []) if spec else []


def instrument_names() -> list[str]:
    """Instrument packages with a ``specs.py``, found without importing them."""
    names = {
        info.name
        for info in pkgutil.iter_modules(_instruments_path())
        if info.ispkg
        and any(
            (Path(root) / info.name / "specs.py").is_file()
            for root in _instruments_path()
        )
    }
    return sorted(names)


def complete_instrument(incomplete: str) -> list[str]:
    return [name for name in instrument_names() if name.startswith(incomplete)]


InstrumentOption = Annotated[
    str,
    typer.Option(
        "--instrument",
        "-i",
        envvar="LIVEDATA_INSTRUMENT",
        help="Instrument name.",
        autocompletion=complete_instrument,
    ),
]
OptionalInstrumentOption = Annotated[
    str | None,
    typer.Option(
        "--instrument",
        "-i",
        envvar="LIVEDATA_INSTRUMENT",
        help="Instrument name (default: all).",
        autocompletion=complete_instrument,
        show_default=False,
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
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="One JSON document on stdout (NDJSON with --watch)."),
]
WatchOption = Annotated[
    bool, typer.Option("--watch", "-w", help="Repeat until Ctrl-C.")
]


def fail(message: str, code: int = ExitCode.ERROR) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    first_line = str(message).strip().splitlines()[0] if str(message).strip() else ""
    typer.echo(f"error: {first_line}", err=True)
    raise typer.Exit(int(code))


def resolve_instrument(name: str):
    """The instrument (specs only), or exit 2 listing the available ones."""
    from ..instruments import UnknownInstrument, get_instrument

    try:
        return get_instrument(name)
    except UnknownInstrument as err:
        fail(str(err), ExitCode.USAGE)


def resolve_bootstrap(bootstrap: str | None) -> str:
    """--bootstrap, else LIVEDATA_KAFKA_BOOTSTRAP, else the YAML configuration."""
    from ..config import ConfigError, kafka_client_config

    try:
        return kafka_client_config(bootstrap)["bootstrap.servers"]
    except (ConfigError, KeyError) as err:
        fail(f"no Kafka bootstrap address: {err}", ExitCode.USAGE)


def kafka_settings(bootstrap: str | None) -> dict:
    """librdkafka settings (security etc. from config) with the bootstrap resolved.

    librdkafka's own log is silenced (``log_level`` 0): it repeats every failed
    connection on stderr, where a command says what went wrong in one line.
    """
    from ..config import ConfigError, kafka_client_config

    try:
        settings = kafka_client_config(bootstrap)
    except ConfigError as err:
        fail(f"configuration: {err}", ExitCode.USAGE)
    if not settings.get("bootstrap.servers"):
        fail("no Kafka bootstrap address (use --bootstrap)", ExitCode.USAGE)
    return {**settings, "log_level": 0}
