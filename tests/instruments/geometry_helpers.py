"""Register a geometry file with moved pixels, to show services read the file."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from livedata.config.loader import config_root
from livedata.geometry.fetch import file_md5
from livedata.geometry.nexus_writer import write_nexus_geometry
from livedata.geometry.registry import load_registry
from livedata.instruments.loader import load_layout


def register_moved_geometry(
    instrument: str,
    bank: str,
    shift_m: tuple[float, float, float],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The registered file valid today, with ``bank`` moved by ``shift_m``, in
    ``LIVEDATA_DATA_DIR`` and registered (new md5) in a copy of the config tree."""
    entry = load_registry(instrument).file_for(None)
    layout = load_layout(instrument)
    banks = tuple(
        dataclasses.replace(b, positions=b.positions + np.asarray(shift_m))
        if b.name == bank
        else b
        for b in layout.banks
    )
    data = tmp_path / "data"
    path = write_nexus_geometry(
        dataclasses.replace(layout, banks=banks), data / entry.filename
    )
    config = tmp_path / "config"
    shutil.copytree(config_root(), config)
    registry = config / "instruments" / instrument / "geometry.yaml"
    registry.write_text(yaml.safe_dump({"files": {entry.filename: file_md5(path)}}))
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(config))
    monkeypatch.setenv("LIVEDATA_DATA_DIR", str(data))
    return path
