"""``livedata geometry``: make, fetch and list dated NeXus geometry files (F3)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .common import ExitCode, InstrumentOption, fail, new_app

app = new_app("NeXus geometry files: make them from layouts, fetch, list.")

DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="YYYY-MM-DD (make: the file's date, default the registered file valid "
        "today, else today; fetch: the file valid on that day, default today).",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Folder to write into (default LIVEDATA_DATA_DIR, else the current one).",
        show_default=False,
    ),
]


@app.command("make")
def make(
    instrument: InstrumentOption,
    date: DateOption = None,
    output: OutputOption = None,
) -> None:
    """Write geometry-<instrument>-<date>.nxs from the instrument's layout.py."""
    from ..geometry.fetch import file_md5
    from ..geometry.nexus_writer import write_nexus_geometry
    from ..geometry.registry import (
        GeometryError,
        NoGeometryFile,
        as_date,
        geometry_filename,
        load_registry,
    )
    from ..instruments.loader import load_layout

    try:
        layout = load_layout(instrument)
        registry = load_registry(instrument)
        if date is None and registry.files:
            try:
                day = registry.file_for(None).valid_from
            except NoGeometryFile:
                day = as_date(None)
        else:
            day = as_date(date)
    except GeometryError as err:  # no layout, bad date or bad registry
        fail(str(err), ExitCode.USAGE)
    folder = output or Path(os.environ.get("LIVEDATA_DATA_DIR") or ".")
    path = write_nexus_geometry(layout, folder / geometry_filename(instrument, day))
    md5 = file_md5(path)
    typer.echo(f"{path}  md5:{md5}")
    registered = registry.get(path.name)
    if registered is None:
        typer.echo(
            f"note: {path.name} is not registered; add it to "
            f"instruments/{instrument}/geometry.yaml to fetch it",
            err=True,
        )
    elif registered.md5 != md5:
        typer.echo(
            f"warning: registered md5 of {path.name} is {registered.md5}; the layout "
            "(or h5py) changed since it was registered",
            err=True,
        )


@app.command("fetch")
def fetch(instrument: InstrumentOption, date: DateOption = None) -> None:
    """Print the local path of the geometry file valid on DATE (downloads it)."""
    from ..geometry.fetch import fetch_geometry
    from ..geometry.registry import GeometryError, NoGeometryFile

    try:
        path = fetch_geometry(instrument, date)
    except NoGeometryFile as err:
        fail(str(err), ExitCode.USAGE)
    except GeometryError as err:
        fail(str(err), ExitCode.ERROR)
    typer.echo(str(path))


@app.command("list")
def list_files() -> None:
    """Registered geometry files, and instruments with a layout but none."""
    from ..geometry.registry import (
        GeometryError,
        load_registry,
        registered_instruments,
    )
    from ..instruments.loader import layout_instruments

    registered = registered_instruments()
    for name in registered:
        try:
            registry = load_registry(name)
        except GeometryError as err:
            typer.echo(f"{name}: error: {err}")
            continue
        for item in registry.files:
            typer.echo(f"{name}  {item.filename}  md5:{item.md5}")
    for name in layout_instruments():
        if name not in registered:
            typer.echo(f"{name}  (layout, no registered file)")
