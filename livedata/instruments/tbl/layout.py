"""TBL pixel layout (NumPy only): flat detectors facing the sample on the beam.

He3: 8 vertical tubes spanning 0.8 m, 1 m long, at 2 m. Multiblade:
16 blades stacked in y, each 32 wires (depth, along z) x 32 strips (x), at 1 m.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.geometry.layout import BankLayout, InstrumentLayout, MonitorLayout

from . import banks


def _centres(width: float, n: int) -> np.ndarray:
    step = width / n
    return np.linspace(-width / 2 + step / 2, width / 2 - step / 2, n)


def he3_positions() -> np.ndarray:
    n_tube, n_pixel = banks.HE3.shape
    x, y = np.meshgrid(_centres(0.8, n_tube), _centres(1.0, n_pixel), indexing="ij")
    z = np.full_like(x, banks.DISTANCES_M[banks.HE3.name])
    return np.stack([x, y, z], axis=-1)


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


@cache
def layout() -> InstrumentLayout:
    source_z = -banks.SOURCE_TO_SAMPLE_M
    return InstrumentLayout(
        instrument="tbl",
        banks=(
            BankLayout(
                banks.HE3.name,
                banks.HE3.dims,
                banks.HE3.detector_numbers(),
                he3_positions(),
            ),
            BankLayout(
                banks.MULTIBLADE.name,
                banks.MULTIBLADE.dims,
                banks.MULTIBLADE.detector_numbers(),
                multiblade_positions(),
            ),
        ),
        source_position=(0.0, 0.0, source_z),
        sample_position=(0.0, 0.0, 0.0),
        monitors=tuple(
            MonitorLayout(name, (0.0, 0.0, source_z + distance))
            for name, distance in banks.MONITORS.items()
        ),
    )
