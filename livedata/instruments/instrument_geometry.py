"""An instrument's geometry as its workflows and fakes see it, and where it comes from.

Instrument packages need pixel positions and flight paths, but reading them from
the registered NeXus files is the job of ``livedata.geometry``, a layer above.
So this module declares what instruments ask for (``instrument_geometry``) and a
``GeometryProvider`` protocol; the process installs the provider once
(``livedata.geometry.install_nexus_geometry``, called by the services and the
test suite), and instruments never import the code that reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from .geometry_error import GeometryError
from .pixel_layout import BankLayout, InstrumentLayout


@dataclass(frozen=True, eq=False)
class InstrumentGeometry:
    """One geometry file as read: its local path and contents.

    Hashes by identity, so per-bank caches can key on it and a new file (a new
    date or a new registration) gives new projections.
    """

    path: Path
    layout: InstrumentLayout = field(repr=False)

    def bank(self, name: str) -> BankLayout:
        return self.layout.bank(name)

    def first_detector_number(self, name: str) -> int:
        """The bank's first detector number; its numbers must run consecutively.

        Views and the histogram kernel index pixels as ``number - first``.
        """
        numbers = self.bank(name).detector_number.ravel()
        first = int(numbers[0])
        if not np.array_equal(numbers, np.arange(first, first + numbers.size)):
            raise GeometryError(
                f"{self.path.name}: detector numbers of {name} are not consecutive"
            )
        return first

    def flight_paths(self, name: str) -> np.ndarray:
        """L1 + L2 per pixel (m, flat in detector-number order)."""
        return self.primary_path() + self.secondary_paths(name)

    def primary_path(self) -> float:
        """Source to sample (m)."""
        source = np.asarray(self.layout.source_position, dtype=float)
        sample = np.asarray(self.layout.sample_position, dtype=float)
        return float(np.linalg.norm(sample - source))

    def secondary_paths(self, name: str) -> np.ndarray:
        """Sample to pixel per pixel (m, flat in detector-number order)."""
        positions = self.bank(name).positions.reshape(-1, 3)
        sample = np.asarray(self.layout.sample_position, dtype=float)
        return np.linalg.norm(positions - sample, axis=1)

    def monitor_position(self, name: str) -> tuple[float, float, float]:
        for monitor in self.layout.monitors:
            if monitor.name == name:
                return monitor.position
        raise KeyError(f"{self.path.name} has no monitor {name!r}")


class GeometryProvider(Protocol):
    """Gives the geometry of an instrument valid today."""

    def load(self, instrument: str) -> InstrumentGeometry: ...


_installed: list[GeometryProvider] = []


def install_geometry_provider(provider: GeometryProvider) -> None:
    """Use ``provider`` from now on in this process (replacing any earlier one)."""
    _installed[:] = [provider]


def instrument_geometry(instrument: str) -> InstrumentGeometry:
    """The geometry of ``instrument`` valid today, from the installed provider."""
    if not _installed:
        raise GeometryError(
            "no geometry provider is installed in this process; call "
            "livedata.geometry.install_nexus_geometry() at start-up"
        )
    return _installed[0].load(instrument)
