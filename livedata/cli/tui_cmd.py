"""``livedata tui``: the Textual console on a Kafka-backed control plane.

Textual, the control plane and Kafka are imported inside the functions so that
``livedata --help`` and shell completion stay fast. ``livedata demo`` opens its
console through the same functions, so both take the same options.

SIGHUP (the terminal went away) and SIGTERM set a stop flag that the console
polls at its render tick. On a terminal that is gone, Textual's shutdown can
block for ever (its output thread dies on EIO and the queue to it fills up),
so :func:`guard_exit` ends the process once the work that matters is done.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..core.stop_signal import StopSignal, stop_on_signals
from .common import (
    EXIT_USAGE,
    BootstrapOption,
    InstrumentOption,
    fail,
    resolve_instrument,
)

if TYPE_CHECKING:
    from livedata_tui.app import LivedataApp

    from ..control.plane import ControlPlane

RESTORE_TIMEOUT_S = 5.0
BROKER_TIMEOUT_S = 5.0  # how long the console waits for a broker to answer
HANGUP_GRACE_S = 5.0  # after a stop signal, how long the console may take to end

ReadonlyOption = Annotated[
    bool,
    typer.Option("--readonly", help="Watch only: start, stop and reset are disabled."),
]
RefreshOption = Annotated[
    float,
    typer.Option(
        min=0.5, max=10.0, metavar="HZ", help="Redraws per second (+/- in the app)."
    ),
]
KeymapOption = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="Keymap file (TOML/YAML) mapping binding ids to keys "
        "(default: $LIVEDATA_KEYMAP or ~/.config/livedata/keymap.toml).",
        show_default=False,
    ),
]
MouseOption = Annotated[
    bool,
    typer.Option(
        "--mouse/--no-mouse",
        help="Mouse clicks and scrolling (off: the terminal keeps text selection).",
    ),
]


@dataclass(frozen=True)
class ConsoleOptions:
    """What the command line says about the console itself."""

    readonly: bool = False
    refresh_hz: float = 3.0
    keymap: Mapping[str, str] = field(default_factory=dict)
    mouse: bool = True


def console_options(
    *,
    readonly: bool = False,
    refresh: float = 3.0,
    keymap: Path | None = None,
    mouse: bool = True,
) -> ConsoleOptions:
    """Options from the command line; a bad keymap file exits 2 with its reason."""
    from livedata_tui.app import binding_ids
    from livedata_tui.keymap import KeymapError, load_keymap

    try:
        keys = load_keymap(keymap, binding_ids())
    except KeymapError as err:
        fail(str(err), EXIT_USAGE)
    return ConsoleOptions(readonly, refresh, keys, mouse)


def open_plane(instrument: str, bootstrap: str) -> ControlPlane:
    """The console's plane: configs restored from the commands topic (G5, so the
    start forms open with the last params), then its pump started. A broker that
    does not answer or lacks the topics is one line and exit 1, no traceback."""
    from ..control.data_service import DataService
    from ..control.plane import connect
    from ..kafka.consumer import TopicsNotFound
    from .common import reachable_settings

    address, settings = reachable_settings(bootstrap, BROKER_TIMEOUT_S)
    try:
        plane = connect(
            instrument,
            address,
            client_config=settings,
            with_data=True,
            data_service=DataService(),
            start=False,
            broker_lag=True,
        )
    except TopicsNotFound as err:
        fail(
            f"{err} (is {instrument} running on {address}? create them with"
            f" `livedata kafka topics create -i {instrument}`)"
        )
    except Exception as err:  # e.g. the broker went away while connecting
        fail(f"cannot connect to {address}: {err}")
    plane.restore_configs(RESTORE_TIMEOUT_S)
    return plane.start()


def make_console(
    inst: Any,
    plane: Any,
    options: ConsoleOptions,
    *,
    exit_when: Callable[[], bool] | None = None,
    bootstrap: str | None = None,
    logs_dir: str | Path | None = None,
) -> LivedataApp:
    from livedata_tui.app import LivedataApp

    from ..control.plots_process import PlotsProcess

    plots = PlotsProcess(inst.name, bootstrap) if bootstrap else None
    return LivedataApp(
        plane,
        plots=plots,
        workflows=inst.workflows.specs(),
        readonly=options.readonly,
        refresh_hz=options.refresh_hz,
        keymap=options.keymap,
        mouse=options.mouse,
        exit_when=exit_when,
        logs_dir=logs_dir,
    )


def run_console(
    inst: Any,
    bootstrap: str,
    options: ConsoleOptions,
    stop: StopSignal,
    logs_dir: str | Path | None = None,
) -> int:
    """The console on its own plane until the operator quits or ``stop`` is set;
    its exit code. The caller's signal handlers stay in place (they set
    ``stop``): the console does not take the signals over. ``logs_dir``: the
    services' log files, shown by ``:logs``."""
    plane = open_plane(inst.name, bootstrap)
    route_kafka_logs(plane)
    try:
        app = make_console(
            inst,
            plane,
            options,
            exit_when=stop.is_set,
            bootstrap=bootstrap,
            logs_dir=logs_dir,
        )
        app.run()
    finally:
        plane.close()
    return app.return_code or 0


class _ToNotifications(logging.Handler):
    """librdkafka's log lines go to the console's notifications, never to the
    terminal the console draws on (nor after it quit)."""

    def __init__(self, plane: Any) -> None:
        super().__init__(logging.WARNING)
        self._plane = plane

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = "error" if record.levelno >= logging.ERROR else "warning"
            self._plane.log(level, f"kafka: {record.getMessage()}")
        except Exception:  # a closed plane: the line is dropped, not printed
            pass


def route_kafka_logs(plane: Any) -> None:
    for name in ("livedata.kafka.librdkafka",):
        log = logging.getLogger(name)
        log.handlers = [_ToNotifications(plane)]
        log.propagate = False


def guard_exit(
    stop: StopSignal,
    done: threading.Event,
    code: Callable[[], int],
    *,
    first: Callable[[], None] | None = None,
) -> threading.Thread:
    """Once ``stop`` is set (and ``first`` returned, e.g. the system stopped),
    give the main thread ``HANGUP_GRACE_S`` to set ``done``; else end the
    process with ``code()``: it hangs in a console whose terminal is gone."""

    def watch() -> None:
        stop.wait()
        if first is not None:
            first()
        if not done.wait(HANGUP_GRACE_S):
            os._exit(code())

    thread = threading.Thread(target=watch, name="livedata-exit-guard", daemon=True)
    thread.start()
    return thread


def tui(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    readonly: ReadonlyOption = False,
    refresh: RefreshOption = 3.0,
    keymap: KeymapOption = None,
    mouse: MouseOption = True,
    logs: Annotated[
        Path | None,
        typer.Option(
            "--logs",
            metavar="DIR",
            help="Folder of the services' <name>.log files, shown by :logs"
            " (the demo's console has its own).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Watch services, jobs, commands and results; start and stop jobs."""
    from ..core.dependencies import warn_if_untested
    from .common import resolve_bootstrap

    warn_if_untested("console")
    inst = resolve_instrument(instrument)
    address = resolve_bootstrap(bootstrap)
    if logs is not None and not logs.is_dir():
        fail(f"--logs {logs}: not a folder", EXIT_USAGE)
    options = console_options(
        readonly=readonly, refresh=refresh, keymap=keymap, mouse=mouse
    )
    stop, done = StopSignal(), threading.Event()
    restore = stop_on_signals(stop, (signal.SIGHUP, signal.SIGTERM))
    guard_exit(stop, done, lambda: 0)
    try:
        code = run_console(inst, address, options, stop, logs_dir=logs)
    finally:
        done.set()
        restore()
    raise typer.Exit(code)
