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
    UNHEALTHY = 6  # a service or job is not OK, or lag is above --max-lag


# The older name ``tui_cmd`` still uses.
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


def instrument_option(help: str, *, show_default: bool = False):
    """``--instrument``/``-i`` (also from LIVEDATA_INSTRUMENT) with its own help."""
    return typer.Option(
        "--instrument",
        "-i",
        envvar="LIVEDATA_INSTRUMENT",
        metavar="NAME",
        help=help,
        autocompletion=complete_instrument,
        show_default=show_default,
    )


InstrumentOption = Annotated[
    str, instrument_option("Instrument name.", show_default=True)
]
OptionalInstrumentOption = Annotated[
    str | None, instrument_option("Instrument name (default: all).")
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
ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="KEY=VALUE",
        help="A workflow param (repeat; dotted keys for nested).",
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
# Three heartbeat intervals (2 s) and a margin: a service that is alive but
# slow to beat is heard, not listed as missing.
LISTEN_WAIT_S = 6.5
NoFailOption = Annotated[
    bool,
    typer.Option(
        "--no-fail",
        help="Exit 0 even when something is unhealthy (only the table is wanted).",
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
        return kafka_client_config(bootstrap)["bootstrap.servers"]
    except (ConfigError, KeyError) as err:
        fail(f"no Kafka bootstrap address: {config_problem(err)}", ExitCode.USAGE)


def config_problem(error: Exception) -> str:
    """A configuration error as an operator can act on it (one line): a template
    naming an unset environment variable says which, not jinja2's words."""
    from ..config.loader import UndefinedVariable

    if not isinstance(error, UndefinedVariable) or error.variable is None:
        return str(error)
    stem = error.path.name.removesuffix(".yaml")
    layer = stem.rpartition(".")[2] if "." in stem else "the"
    hint = (
        " or give --bootstrap" if error.variable == "LIVEDATA_KAFKA_BOOTSTRAP" else ""
    )
    return (
        f"{layer} config needs {error.variable} (set it in the environment{hint};"
        f" used by {error.path.name})"
    )


def kafka_settings(bootstrap: str | None) -> dict:
    """librdkafka settings (security etc. from config) with the bootstrap resolved.

    librdkafka's own log is silenced (``log_level`` 0): it repeats every failed
    connection on stderr, where a command says what went wrong in one line.
    """
    from ..config import ConfigError, kafka_client_config

    try:
        settings = kafka_client_config(bootstrap)
    except ConfigError as err:
        fail(f"configuration: {config_problem(err)}", ExitCode.USAGE)
    if not settings.get("bootstrap.servers"):
        fail("no Kafka bootstrap address (use --bootstrap)", ExitCode.USAGE)
    return {**settings, "log_level": 0}


def reachable_settings(bootstrap: str | None, timeout: float) -> tuple[str, dict]:
    """The bootstrap address and client settings of a broker that answers.

    Commands that use it check first, so a wrong address costs at most a few
    seconds and the same line everywhere: "no Kafka broker answered at
    HOST:PORT within N s" (exit 1).
    """
    from ..kafka.admin import BrokerUnreachable, ClientSettingsRefused, check_reachable

    settings = kafka_settings(bootstrap)
    address = settings.pop("bootstrap.servers")
    try:
        check_reachable(address, settings, timeout=min(max(timeout, 1.0), 5.0))
    except BrokerUnreachable as err:
        fail(str(err))
    except ClientSettingsRefused as err:
        fail(str(err), ExitCode.USAGE)
    return address, settings
