"""``livedata services``: what the processing services say in their heartbeats."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    BootstrapOption,
    CountOption,
    InstrumentOption,
    IntervalOption,
    JsonOption,
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
            help="Seconds to listen for heartbeats (every 2 s).",
        ),
    ] = 2.5,
) -> None:
    """Health (OK, WARN, ERR, STALE, STOPPING, STOPPED), uptime, jobs, rates, lag."""
    from .planes import open_plane
    from .status_views import service_table, watch_snapshots

    inst = resolve_instrument(instrument).name
    with open_plane(inst, bootstrap, wait_s) as plane:
        watch_snapshots(plane, wait_s, watch, json, service_table, interval_s, count)
