"""``livedata tui``: the Textual console on a Kafka-backed control plane.

Textual, the control plane and Kafka are imported inside the command so that
``livedata --help`` and shell completion stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    EXIT_USAGE,
    BootstrapOption,
    InstrumentOption,
    fail,
    resolve_instrument,
)


def tui(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    readonly: Annotated[
        bool,
        typer.Option(
            "--readonly", help="Watch only: start, stop and reset are disabled."
        ),
    ] = False,
    refresh: Annotated[
        float,
        typer.Option(min=0.5, max=10.0, help="Redraws per second (+/- in the app)."),
    ] = 3.0,
    keymap: Annotated[
        Path | None,
        typer.Option(
            help="Keymap file (TOML/YAML) mapping binding ids to keys "
            "(default: $LIVEDATA_KEYMAP or ~/.config/livedata/keymap.toml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Watch services, jobs, commands and results; start and stop jobs."""
    from .common import resolve_bootstrap

    inst = resolve_instrument(instrument)
    address = resolve_bootstrap(bootstrap)
    from livedata_tui.keymap import KeymapError, load_keymap

    try:
        keys = load_keymap(keymap)
    except KeymapError as err:
        fail(str(err), EXIT_USAGE)
    from livedata_tui.app import LivedataApp

    from ..control.data_service import DataService
    from ..control.plane import connect

    plane = connect(inst.name, address, with_data=True, data_service=DataService())
    try:
        app = LivedataApp(
            plane,
            workflows=inst.workflows.specs(),
            readonly=readonly,
            refresh_hz=refresh,
            keymap=keys,
            handle_signals=True,
        )
        app.run()
    finally:
        plane.close()
    raise typer.Exit(app.return_code or 0)
