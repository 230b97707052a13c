"""``livedata demo``: broker, topics, services, fakes and default jobs on one machine,
ending in the console (or, with ``--no-tui`` or no terminal, waiting for Ctrl-C)."""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
from typing import Annotated

import typer

from ..core.stop_signal import StopSignal, stop_on_signals
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
    tui: Annotated[
        bool,
        typer.Option(
            "--tui/--no-tui",
            help="End in the console (default when stdout is a terminal).",
        ),
    ] = True,
) -> None:
    """Run a whole livedata system locally until Ctrl-C."""
    inst = resolve_instrument(instrument)
    from ..kafka.broker import BrokerStartError
    from ..services.demo import run_demo

    with_console = tui and sys.stdin.isatty() and sys.stdout.isatty()
    stop = StopSignal()
    ready_event = threading.Event()
    bootstrap_box: list[str] = []
    # SIGHUP: the terminal went away (SSH dropped); stop as gracefully as Ctrl-C.
    stop_on_signals(stop, (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
    log_dir = tempfile.mkdtemp(prefix="livedata-demo-")

    def ready(bootstrap, procs, outcome):
        bootstrap_box.append(bootstrap)
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
        if not with_console:
            typer.echo("Ctrl-C stops everything gracefully.", err=True)
        ready_event.set()

    typer.echo(f"starting the {inst.name} demo ...", err=True)
    if not with_console:
        code = _run(run_demo, inst, port, log_dir, ready, stop, BrokerStartError)
        _finish(code, log_dir)

    # The system runs on a thread; the console owns the main thread and terminal.
    result: list[int] = []
    runner = threading.Thread(
        target=lambda: result.append(
            _run(run_demo, inst, port, log_dir, ready, stop, BrokerStartError)
        ),
        name="demo",
    )
    runner.start()
    while not ready_event.wait(0.2):
        if not runner.is_alive() or stop.is_set():
            break
    if ready_event.is_set() and not stop.is_set():
        _console(inst, bootstrap_box[0])
    typer.echo("stopping the demo ...", err=True)
    stop.set()
    runner.join()
    _finish(result[0] if result else 1, log_dir)


def _run(run_demo, inst, port, log_dir, ready, stop, broker_error) -> int:
    try:
        return run_demo(inst, port=port, log_dir=log_dir, on_ready=ready, stop=stop)
    except (broker_error, RuntimeError) as err:
        typer.echo(f"error: {str(err).splitlines()[0]}", err=True)
        return 1


def _console(inst, bootstrap: str) -> None:
    """The operators' console on the demo; returns when the operator quits."""
    from livedata_tui.app import LivedataApp

    from ..control.data_service import DataService
    from ..control.plane import connect

    plane = connect(inst.name, bootstrap, with_data=True, data_service=DataService())
    try:
        LivedataApp(plane, workflows=inst.workflows.specs(), handle_signals=True).run()
    finally:
        plane.close()


def _finish(code: int, log_dir: str) -> None:
    if code != 0:
        fail(f"demo failed (logs in {log_dir})")
    typer.echo("demo stopped", err=True)
    raise typer.Exit(0)
