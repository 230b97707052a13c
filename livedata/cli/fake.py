"""``livedata fake``: fake producers at real pace, for development and demos."""

from __future__ import annotations

from typing import Annotated

import typer

from ..core.stop_signal import StopSignal, stop_on_signals
from .common import (
    BootstrapOption,
    DevOption,
    InstrumentOption,
    resolve_bootstrap,
    resolve_instrument,
)

app = typer.Typer(help="Fake data producers (ev44, ad00, f144).", no_args_is_help=True)

RateOption = Annotated[
    float | None,
    typer.Option(
        "--rate", min=0.0, help="Events (or counts) per second.", show_default=False
    ),
]


def _run(
    kind: str, instrument: str, rate: float | None, bootstrap: str | None, dev: bool
) -> None:
    inst = resolve_instrument(instrument)
    address = resolve_bootstrap(bootstrap)
    from ..services.fakes import run_fake

    stop = StopSignal()
    stop_on_signals(stop)
    typer.echo(f"fake {kind} for {inst.name} -> {address} (Ctrl-C stops)", err=True)
    sent = run_fake(kind, inst, rate=rate, bootstrap=address, dev=dev, stop=stop)
    typer.echo(f"sent {sent} messages", err=True)


@app.command("detectors")
def detectors(
    instrument: InstrumentOption = "dummy",
    rate: RateOption = None,
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """ev44 detector events, 14 Hz pulses (default 1e6 events/s)."""
    _run("detectors", instrument, rate, bootstrap, dev)


@app.command("monitors")
def monitors(
    instrument: InstrumentOption = "dummy",
    rate: RateOption = None,
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """ev44 monitor events, 14 Hz pulses (default 1e4 events/s per monitor)."""
    _run("monitors", instrument, rate, bootstrap, dev)


@app.command("area")
def area(
    instrument: InstrumentOption = "dummy",
    rate: RateOption = None,
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """ad00 camera frames at 14 Hz (default 1e5 counts/s)."""
    _run("area", instrument, rate, bootstrap, dev)


@app.command("logs")
def logs(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    dev: DevOption = True,
) -> None:
    """f144 log values (e.g. motion1, motion2) moving slowly, 2 updates/s."""
    _run("logs", instrument, None, bootstrap, dev)
