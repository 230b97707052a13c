"""``livedata services``: what the processing services say in their heartbeats."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    LISTEN_WAIT_S,
    BootstrapOption,
    CountOption,
    InstrumentOption,
    IntervalOption,
    JsonOption,
    NoFailOption,
    WatchOption,
    new_app,
    resolve_instrument,
)

app = new_app("Processing services and their health.")


@app.command("status")
def status(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
    watch: WatchOption = False,
    interval_s: IntervalOption = 2.0,
    count: CountOption = None,
    wait_s: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0.1,
            metavar="SECONDS",
            help="Seconds to listen for heartbeats (every 2 s; recent ones are"
            " read back too).",
        ),
    ] = LISTEN_WAIT_S,
    no_fail: NoFailOption = False,
) -> None:
    """Health (OK, WARN, ERR, STALE, DEAD, STOPPING, STOPPED) with its reason,
    uptime, jobs, rates, lag.

    A service that stopped beating stays listed (STALE, then DEAD after a
    minute) until it says goodbye. Exit 6 when a service is WARN, ERR, STALE or
    DEAD (and not replaced by a newer worker), unless --no-fail; 1 no broker.
    """
    from .common import ExitCode
    from .planes import open_plane
    from .status_views import service_table, services_unhealthy, watch_snapshots

    inst = resolve_instrument(instrument).name
    with open_plane(inst, bootstrap, wait_s) as plane:
        last = watch_snapshots(
            plane, wait_s, watch, json, service_table, interval_s, count
        )
    if last is not None and not no_fail and services_unhealthy(last):
        raise typer.Exit(ExitCode.UNHEALTHY)
