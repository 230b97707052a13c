"""``livedata demo``: broker, topics, services, fakes and default jobs on one machine."""

from __future__ import annotations

import signal
import tempfile
import threading
from typing import Annotated

import typer

from .common import InstrumentOption, fail, resolve_instrument


def demo(
    instrument: InstrumentOption = "dummy",
    port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Broker port (default: a free one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a whole livedata system locally until Ctrl-C."""
    inst = resolve_instrument(instrument)
    from ..kafka.broker import BrokerStartError
    from ..services.demo import run_demo

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log_dir = tempfile.mkdtemp(prefix="livedata-demo-")

    def ready(bootstrap, procs, outcome):
        typer.echo(
            f"broker      {bootstrap}  (export LIVEDATA_KAFKA_BOOTSTRAP={bootstrap})"
        )
        typer.echo(f"services    {', '.join(sorted(procs.services))}")
        typer.echo(f"fakes       {', '.join(sorted(procs.fakes))}")
        state = (
            "all acknowledged" if outcome.all_acked else f"missing: {outcome.missing}"
        )
        typer.echo(f"jobs        {len(outcome.answers)} started, {state}")
        typer.echo(f"logs        {log_dir}")
        typer.echo("Ctrl-C stops everything gracefully.", err=True)

    typer.echo(f"starting the {inst.name} demo ...", err=True)
    try:
        code = run_demo(inst, port=port, log_dir=log_dir, on_ready=ready, stop=stop)
    except (BrokerStartError, RuntimeError) as err:
        fail(str(err).splitlines()[0])
    typer.echo(
        "demo stopped" + ("" if code == 0 else f" (services failed, see {log_dir})"),
        err=True,
    )
    raise typer.Exit(code)
