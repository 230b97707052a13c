"""``livedata service run``: one processing service, for deployments."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    BootstrapOption,
    ExitCode,
    InstrumentOption,
    config_problem,
    fail,
    resolve_bootstrap,
    resolve_instrument,
)

app = typer.Typer(help="Run processing services.", no_args_is_help=True)

SERVICE_NAMES = ("monitor_data", "detector_data", "data_reduction", "timeseries")


def _complete_service(incomplete: str) -> list[str]:
    return [s for s in SERVICE_NAMES if s.startswith(incomplete)]


@app.command("run")
def run(
    name: Annotated[
        str,
        typer.Argument(
            help="monitor_data, detector_data, data_reduction or timeseries.",
            autocompletion=_complete_service,
        ),
    ],
    instrument: InstrumentOption = "dummy",
    dev: Annotated[
        bool,
        typer.Option(
            "--dev/--prod",
            help="DEV stream mapping (fake producers' names) or PROD (facility names).",
        ),
    ] = False,
    bootstrap: BootstrapOption = None,
    log_level: Annotated[str, typer.Option(help="Python log level.")] = "INFO",
) -> None:
    """Run one service until SIGTERM/SIGINT (stopping, then stopped heartbeats).

    Reads the facility (PROD) topics and source names unless --dev is given.
    Security settings (security.protocol, sasl.*, ssl.*) come from the kafka
    configuration and its LIVEDATA_KAFKA_* variables; secrets are never logged.

    A stop that takes longer than shutdown_timeout_s (config/defaults/service.yaml,
    15 s) prints every thread's stack and exits 1. SIGUSR1 prints the stacks
    and the service goes on.
    """
    if name not in SERVICE_NAMES:
        fail(f"unknown service {name!r}; choose one of {', '.join(SERVICE_NAMES)}", 2)
    resolve_instrument(instrument)
    address = resolve_bootstrap(bootstrap)
    from ..config import ConfigError
    from ..kafka.admin import BrokerUnreachable
    from ..services.runner import StartupFailed, configure_logging, run_service

    configure_logging(log_level.upper())
    try:
        code = run_service(instrument, name, dev=dev, bootstrap=address)
    except ConfigError as err:
        fail(f"configuration: {config_problem(err)}", ExitCode.USAGE)
    except (BrokerUnreachable, StartupFailed) as err:
        fail(str(err))
    raise typer.Exit(code)
