"""``livedata services``: what the processing services say in their heartbeats."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    BootstrapOption,
    InstrumentOption,
    JsonOption,
    WatchOption,
    new_app,
)

app = new_app("Processing services and their health.")


@app.command("status")
def status(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
    watch: WatchOption = False,
    wait_s: Annotated[
        float,
        typer.Option("--wait", help="Seconds to listen for heartbeats (every 2 s)."),
    ] = 2.5,
) -> None:
    """Health (OK, WARN, ERR, STALE, STOPPING, STOPPED), uptime, jobs, rates, lag."""
    from .job import _plane
    from .status_views import service_table, watch_snapshots

    with _plane(instrument, bootstrap, wait_s) as plane:
        watch_snapshots(plane, wait_s, watch, json, service_table)
