"""Options, exit codes and error reporting shared by every command group.

Imported on the ``--help`` and Tab-completion paths, so only Typer and the
standard library are imported at module level; everything else is imported
inside the functions that need it.
"""

from __future__ import annotations

import importlib.util
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
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
        metavar="NAME",
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
        metavar="NAME",
        help="Instrument name (default: all).",
        autocompletion=complete_instrument,
        show_default=False,
    ),
]
BootstrapOption = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        metavar="HOST:PORT",
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
IntervalOption = Annotated[
    float,
    typer.Option(
        "--interval",
        min=0.2,
        metavar="SECONDS",
        help="Seconds between --watch updates.",
    ),
]
CountOption = Annotated[
    int | None,
    typer.Option(
        "--count",
        "-n",
        min=1,
        metavar="N",
        help="With --watch: stop after N updates (default: until Ctrl-C).",
        show_default=False,
    ),
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
        with bootstrap_for_templates(bootstrap):
            return kafka_client_config(bootstrap)["bootstrap.servers"]
    except (ConfigError, KeyError) as err:
        fail(f"no Kafka bootstrap address: {config_problem(err)}", ExitCode.USAGE)


def config_problem(error: Exception) -> str:
    """A configuration error as an operator can act on it (one line).

    A template naming an unset environment variable fails in jinja2's words
    ("'os._Environ object' has no attribute 'X'"); say which variable instead.
    """
    import re

    text = str(error)
    missing = re.search(r"has no attribute '([A-Za-z_][A-Za-z0-9_]*)'", text)
    if "undefined template variable" not in text or missing is None:
        return text
    path = Path(text.split(": undefined template variable", 1)[0])
    stem = path.name.removesuffix(".yaml")
    layer = stem.rpartition(".")[2] if "." in stem else "the"
    variable = missing.group(1)
    hint = " or give --bootstrap" if variable == "LIVEDATA_KAFKA_BOOTSTRAP" else ""
    return (
        f"{layer} config needs {variable} (set it in the environment{hint};"
        f" used by {path.name})"
    )


@contextmanager
def bootstrap_for_templates(bootstrap: str | None) -> Iterator[None]:
    """``--bootstrap`` also fills the configuration's templates.

    A production layer takes its broker from LIVEDATA_KAFKA_BOOTSTRAP; given
    ``--bootstrap`` (which wins over that variable anyway), the layer must not
    fail for the variable being unset, so it is set for the rendering.
    """
    import os

    name = "LIVEDATA_KAFKA_BOOTSTRAP"
    if not bootstrap or os.environ.get(name):
        yield
        return
    os.environ[name] = bootstrap
    try:
        yield
    finally:
        os.environ.pop(name, None)


def kafka_settings(bootstrap: str | None) -> dict:
    """librdkafka settings (security etc. from config) with the bootstrap resolved.

    librdkafka's own log is silenced (``log_level`` 0): it repeats every failed
    connection on stderr, where a command says what went wrong in one line.
    """
    from ..config import ConfigError, kafka_client_config

    try:
        with bootstrap_for_templates(bootstrap):
            settings = kafka_client_config(bootstrap)
    except ConfigError as err:
        fail(f"configuration: {config_problem(err)}", ExitCode.USAGE)
    if not settings.get("bootstrap.servers"):
        fail("no Kafka bootstrap address (use --bootstrap)", ExitCode.USAGE)
    return {**settings, "log_level": 0}


def reachable_settings(bootstrap: str | None, timeout: float) -> tuple[str, dict]:
    """The bootstrap address and client settings of a broker that answers.

    Every command that talks to Kafka checks first, so a wrong address costs
    at most a few seconds and the same line everywhere: "no Kafka broker
    answered at HOST:PORT within N s" (exit 1).
    """
    from ..kafka.admin import BrokerUnreachable, check_reachable

    settings = kafka_settings(bootstrap)
    address = settings.pop("bootstrap.servers")
    try:
        check_reachable(address, settings, timeout=min(max(timeout, 1.0), 5.0))
    except BrokerUnreachable as err:
        fail(str(err))
    return address, settings
