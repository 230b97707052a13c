"""Pixel layouts: the numbers a synthetic NeXus geometry file is written from.

Each science instrument describes its detector banks as plain NumPy arrays
(``livedata/instruments/<name>/layout.py`` returns an ``InstrumentLayout``). The
geometry package writes them to ``geometry-<instrument>-<date>.nxs`` files readable
by scippnexus; the fakes and the detector views use the same numbers, so what a
fake emits is what a view expects. NumPy only: specs import this at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class BankLayout:
    """One detector bank (an NXdetector).

    ``detector_number`` has the bank's logical shape (e.g. (arc, tube, channel,
    pixel)) with ``dims`` naming its axes; ``positions`` is that shape plus a last
    axis of 3 (x, y, z in metres, sample at the origin, beam along +z).
    ``flat_in_file`` writes the bank 1-D (dim ``detector_number``) as ESS files of
    banks that reducers fold themselves do (esssans's ``DetectorBankSizes``);
    reading such a file gives the flat bank back.
    """

    name: str
    dims: tuple[str, ...]
    detector_number: np.ndarray
    positions: np.ndarray
    flat_in_file: bool = False

    def __post_init__(self) -> None:
        if self.detector_number.ndim != len(self.dims):
            raise ValueError(f"{self.name}: dims {self.dims} do not match shape")
        if self.positions.shape != (*self.detector_number.shape, 3):
            raise ValueError(f"{self.name}: positions must have shape (*shape, 3)")

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.detector_number.shape)

    @property
    def pixel_count(self) -> int:
        return int(self.detector_number.size)


@dataclass(frozen=True)
class MonitorLayout:
    name: str
    position: tuple[float, float, float]  # metres


@dataclass(frozen=True)
class InstrumentLayout:
    """Source, sample, monitors and banks of one instrument, in metres."""

    instrument: str
    banks: tuple[BankLayout, ...]
    source_position: tuple[float, float, float] = (0.0, 0.0, -76.55)
    sample_position: tuple[float, float, float] = (0.0, 0.0, 0.0)
    monitors: tuple[MonitorLayout, ...] = field(default_factory=tuple)

    def bank(self, name: str) -> BankLayout:
        for bank in self.banks:
            if bank.name == name:
                return bank
        raise KeyError(f"{self.instrument} has no bank {name!r}")

    @property
    def pixel_count(self) -> int:
        return sum(b.pixel_count for b in self.banks)
