"""``livedata demo``: broker, topics, services, fakes and default jobs on one machine,
ending in the console (or, with ``--no-tui`` or no terminal, waiting for Ctrl-C).

Signals: SIGINT, SIGTERM and SIGHUP (the terminal went away) set the demo's stop
flag for the whole run, also while the console owns the main thread: the
console does not take the signals over, it exits at its next tick once the flag
is set, and the system thread stops the services in order. Nothing is written
to the terminal before the flag is set: on a hung-up terminal a write fails
(EIO). Should the console hang on the dead terminal, the process ends once the
services have stopped (``tui_cmd.guard_exit``).
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import tempfile
import threading
from typing import Annotated

import typer

from ..core.stop_signal import StopSignal, stop_on_signals
from .common import InstrumentOption, fail, resolve_instrument
from .tui_cmd import (
    KeymapOption,
    MouseOption,
    ReadonlyOption,
    RefreshOption,
    console_options,
    guard_exit,
    run_console,
)


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
    broker_memory_limit: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="End the demo, with exit code 1, when the broker holds this "
            "many GiB (it keeps every record; default: half the machine's memory).",
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
    plots: Annotated[
        bool,
        typer.Option(
            "--plots",
            help="Also run the plot server (livedata plots) and print its URL.",
        ),
    ] = False,
    readonly: ReadonlyOption = False,
    refresh: RefreshOption = 3.0,
    keymap: KeymapOption = None,
    mouse: MouseOption = True,
) -> None:
    """Run a whole livedata system locally until Ctrl-C."""
    inst = resolve_instrument(instrument)
    from ..kafka.broker import BrokerStartError, memory_limit_bytes
    from .demo_run import run_demo

    run_demo = functools.partial(
        run_demo, broker_memory_limit=memory_limit_bytes(broker_memory_limit)
    )

    with_console = tui and sys.stdin.isatty() and sys.stdout.isatty()
    options = (
        console_options(readonly=readonly, refresh=refresh, keymap=keymap, mouse=mouse)
        if with_console
        else None
    )
    stop = StopSignal()
    ready_event = threading.Event()
    bootstrap_box: list[str] = []
    # SIGHUP: the terminal went away (SSH dropped); stop as gracefully as Ctrl-C.
    stop_on_signals(stop, (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
    log_dir = tempfile.mkdtemp(prefix="livedata-demo-")

    plots_box: list = []

    def ready(bootstrap, procs, outcome):
        bootstrap_box.append(bootstrap)
        if plots:  # on the thread that runs the system: the child lives as long
            plots_box.append(_start_plots(inst.name, bootstrap, log_dir))
        typer.echo(
            f"broker      {bootstrap}  (export LIVEDATA_KAFKA_BOOTSTRAP={bootstrap})"
        )
        typer.echo(f"services    {', '.join(sorted(procs.services))}")
        typer.echo(f"fakes       {', '.join(sorted(procs.fakes))}")
        state = (
            "all acknowledged" if outcome.all_acked else f"missing: {outcome.missing}"
        )
        typer.echo(f"jobs        {len(outcome.answers)} started, {state}")
        if plots_box and plots_box[0].url:
            typer.echo(f"plots       {plots_box[0].url}")
        typer.echo(f"logs        {log_dir}")
        if not with_console:
            typer.echo("Ctrl-C stops everything gracefully.", err=True)
        ready_event.set()

    typer.echo(f"starting the {inst.name} demo ...", err=True)
    from ..core.dependencies import warn_if_untested

    warn_if_untested("console" if with_console else "cli")
    if not with_console:
        try:
            code = _run(run_demo, inst, port, log_dir, ready, stop, BrokerStartError)
        finally:
            _stop_plots(plots_box)
        _finish(code, log_dir)

    # The system runs on a thread; the console owns the main thread and terminal.
    result: list[int] = []

    def system() -> None:
        try:
            result.append(
                _run(run_demo, inst, port, log_dir, ready, stop, BrokerStartError)
            )
        finally:
            _stop_plots(plots_box)

    runner = threading.Thread(target=system, name="demo")
    runner.start()
    done = threading.Event()
    guard_exit(stop, done, lambda: 0 if result == [0] else 1, first=runner.join)
    while not ready_event.wait(0.2):
        if not runner.is_alive() or stop.is_set():
            break
    try:
        if ready_event.is_set() and not stop.is_set():
            run_console(inst, bootstrap_box[0], options, stop, logs_dir=log_dir)
    finally:  # whatever ended the console, the services are stopped in order
        stop.set()
        _say("stopping the demo ...")
        runner.join()
        done.set()
    _finish(result[0] if result else 1, log_dir)


def _start_plots(instrument: str, bootstrap: str, log_dir: str):
    """The plot server as a child; its URL is printed with the demo's summary
    (a failure is said in one line and the demo goes on without plots)."""
    import os

    from ..control.plots_process import PlotsProcess, PlotsStartError

    process = PlotsProcess(
        instrument, bootstrap, log_path=os.path.join(log_dir, "plots.log")
    )
    try:
        process.start()
    except PlotsStartError as err:
        _say(f"warning: no plots: {err}")
    return process


def _stop_plots(box: list) -> None:
    for process in box:
        process.stop()


def _say(text: str) -> None:
    """A line on stderr, unless the terminal has gone (EIO after a hang-up)."""
    with contextlib.suppress(OSError):
        typer.echo(text, err=True)


def _run(run_demo, inst, port, log_dir, ready, stop, broker_error) -> int:
    try:
        return run_demo(inst, port=port, log_dir=log_dir, on_ready=ready, stop=stop)
    except (broker_error, RuntimeError) as err:
        typer.echo(f"error: {str(err).splitlines()[0]}", err=True)
        return 1


def _finish(code: int, log_dir: str) -> None:
    if code != 0:
        try:
            fail(f"demo failed (logs in {log_dir})")
        except OSError:
            raise typer.Exit(1) from None
    _say("demo stopped")
    raise typer.Exit(0)
