"""Instruments get their geometry from the provider the process installs."""

from pathlib import Path

import numpy as np
import pytest

from livedata.instruments import instrument_geometry as geometry_access
from livedata.instruments.geometry_error import GeometryError
from livedata.instruments.instrument_geometry import (
    InstrumentGeometry,
    install_geometry_provider,
    instrument_geometry,
)
from livedata.instruments.pixel_layout import BankLayout, InstrumentLayout


class _OneFile:
    """A provider that answers every instrument with one in-memory geometry."""

    def __init__(self, geometry: InstrumentGeometry) -> None:
        self.geometry = geometry
        self.asked: list[str] = []

    def load(self, instrument: str) -> InstrumentGeometry:
        self.asked.append(instrument)
        return self.geometry


def test_without_a_provider_the_error_says_what_to_call(monkeypatch) -> None:
    monkeypatch.setattr(geometry_access, "_installed", [])
    with pytest.raises(GeometryError, match=r"install_nexus_geometry\(\)"):
        instrument_geometry("dream")


def test_the_installed_provider_answers(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(geometry_access, "_installed", [])
    bank = BankLayout("b", ("y", "x"), np.array([[3, 4]]), np.zeros((1, 2, 3)))
    geometry = InstrumentGeometry(tmp_path / "g.nxs", InstrumentLayout("x", (bank,)))
    provider = _OneFile(geometry)
    install_geometry_provider(provider)
    assert instrument_geometry("loki") is geometry
    assert provider.asked == ["loki"]
    assert instrument_geometry("loki").first_detector_number("b") == 3
