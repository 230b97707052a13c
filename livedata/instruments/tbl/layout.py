"""TBL pixel layout (NumPy only): flat detectors facing the sample on the beam.

He3: two banks of 8 vertical tubes, each spanning 0.8 m, 1 m long, at 2 m,
left and right of the beam. Multiblade: 16 blades stacked in y, each 32 wires
(depth, along z) x 32 strips (x), at 1 m. nGEM (10 cm) and Timepix3 (28 mm):
square pixel grids centred on the beam at 1.5 m and 1.2 m.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.instruments.pixel_layout import (
    BankLayout,
    InstrumentLayout,
    MonitorLayout,
)

from . import banks


def _centres(width: float, n: int) -> np.ndarray:
    step = width / n
    return np.linspace(-width / 2 + step / 2, width / 2 - step / 2, n)


def he3_positions(index: int) -> np.ndarray:
    """Bank 0 left of the beam (x < 0), bank 1 right of it."""
    bank = banks.HE3_BANKS[index]
    n_tube, n_pixel = bank.shape
    x, y = np.meshgrid(_centres(0.8, n_tube), _centres(1.0, n_pixel), indexing="ij")
    x = x + (0.45 if index else -0.45)
    z = np.full_like(x, banks.DISTANCES_M[bank.name])
    return np.stack([x, y, z], axis=-1)


def imaging_positions(name: str) -> np.ndarray:
    """A square (y, x) pixel grid centred on the beam."""
    bank = next(b for b in banks.EVENT_DETECTORS if b.name == name)
    size = banks.IMAGING_SIZES_M[name]
    y, x = np.meshgrid(
        _centres(size, bank.shape[0]), _centres(size, bank.shape[1]), indexing="ij"
    )
    return np.stack([x, y, np.full_like(x, banks.DISTANCES_M[name])], axis=-1)


def multiblade_positions() -> np.ndarray:
    n_blade, n_wire, n_strip = banks.MULTIBLADE.shape
    y, dz, x = np.meshgrid(
        _centres(0.16, n_blade),
        _centres(0.1, n_wire),
        _centres(0.1, n_strip),
        indexing="ij",
    )
    z = banks.DISTANCES_M[banks.MULTIBLADE.name] + dz
    return np.stack([x, y, z], axis=-1)


def _positions(name: str) -> np.ndarray:
    if name in banks.HE3_NAMES:
        return he3_positions(banks.HE3_NAMES.index(name))
    if name == banks.MULTIBLADE.name:
        return multiblade_positions()
    return imaging_positions(name)


@cache
def layout() -> InstrumentLayout:
    source_z = -banks.SOURCE_TO_SAMPLE_M
    return InstrumentLayout(
        instrument="tbl",
        banks=tuple(
            BankLayout(
                bank.name, bank.dims, bank.detector_numbers(), _positions(bank.name)
            )
            for bank in banks.EVENT_DETECTORS
        ),
        source_position=(0.0, 0.0, source_z),
        sample_position=(0.0, 0.0, 0.0),
        monitors=tuple(
            MonitorLayout(name, (0.0, 0.0, source_z + distance))
            for name, distance in banks.MONITORS.items()
        ),
    )
