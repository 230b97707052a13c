"""``livedata plots``: the Panel plot server in this process; prints its URL.

Panel, Bokeh and the control plane are imported inside the command (CLI
start-up and completion stay fast). The console and ``livedata demo --plots``
spawn this command as a child process and read the URL from its first line.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    BootstrapOption,
    ExitCode,
    InstrumentOption,
    fail,
    resolve_instrument,
)

# The plot server reads a few results a second and draws them as they come.
# The embedded broker often holds a fetch for the whole wait although data came
# (measured, produce to poll: 17-98 ms median at the peers' 200 ms, 5 ms at 20).
FETCH_WAIT_MS = 20


def plots(
    instrument: InstrumentOption = "dummy",
    template: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Grid template to open (default: the last one picked, else the first).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int,
        typer.Option(min=0, max=65535, help="Port (0: a free one)."),
    ] = 0,
    bind: Annotated[
        str,
        typer.Option(
            metavar="ADDR",
            help="Address to listen on; other than loopback needs --token or "
            "LIVEDATA_PLOTS_BASIC_AUTH.",
        ),
    ] = "127.0.0.1",
    token: Annotated[
        bool,
        typer.Option(
            "--token",
            help="Require a random token (printed once in the URL, stored 0600).",
        ),
    ] = False,
    bootstrap: BootstrapOption = None,
    session_timeout: Annotated[
        float,
        typer.Option(
            min=1.0,
            metavar="SECONDS",
            help="Forget a browser session silent this long.",
        ),
    ] = 30.0,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Where edited grids and the token are kept "
            "(default: $XDG_STATE_HOME/livedata).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve live plots of an instrument's results in a browser."""
    from ..core.dependencies import warn_if_untested
    from .common import resolve_bootstrap

    missing = [m for m in warn_if_untested("plots") if m.installed is None]
    if missing:
        fail(missing[0].message("plots"))
    inst = resolve_instrument(instrument)
    address = resolve_bootstrap(bootstrap)
    from ..control.config_store import default_state_dir
    from ..plots.auth import AccessError, decide

    state = state_dir or default_state_dir()
    try:
        access = decide(bind, state, use_token=token)
    except AccessError as err:
        fail(str(err), ExitCode.USAGE)
    from ..control.data_service import DataService
    from ..control.plane import connect
    from ..plots.server import ServeOptions, build_context, run

    options = ServeOptions(
        port=port,
        bind=bind,
        template=template,
        state_dir=state,
        session_timeout_s=session_timeout,
    )
    data = DataService()
    try:
        plane = connect(
            inst.name,
            address,
            with_data=True,
            data_service=data,
            start=False,
            fetch_wait_ms=FETCH_WAIT_MS,
        )
    except Exception as err:  # a broker that cannot be reached, bad settings
        fail(f"cannot connect to {address}: {err}")
    plane.restore_configs(5.0)
    try:
        ctx = build_context(inst.name, plane.start(), data, options)
    except ValueError as err:
        plane.close()
        fail(str(err), ExitCode.USAGE)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())

    from ..control.plots_process import URL_PREFIX

    def announce(url: str) -> None:
        typer.echo(f"{URL_PREFIX}{url}")
        sys.stdout.flush()

    try:
        run(ctx, access, options, announce, stop)
    except OSError as err:
        fail(f"cannot serve on {bind}:{port}: {err}")
    finally:
        plane.close()
