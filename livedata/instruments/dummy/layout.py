"""Dummy instrument: pixel layout its geometry file is made from (NumPy only).

The same numbers as ``livedata.workflows.projection.synthetic_panel_positions``
with the panel constants of ``specs``: a 1 m square 128 x 128 panel facing the beam
at 4 m, detector numbers 1.. in row-major (y, x) order; the source sits
``SOURCE_TO_SAMPLE_M`` upstream and the monitors at their distances from the source.
"""

from __future__ import annotations

import numpy as np

from livedata.instruments.pixel_layout import (
    BankLayout,
    InstrumentLayout,
    MonitorLayout,
)

from . import specs


def panel_positions(
    n_y: int, n_x: int, *, width_m: float, distance_m: float
) -> np.ndarray:
    """Pixel centres (n_y, n_x, 3) of a flat square panel centred on the beam."""
    half = width_m / 2
    step_x, step_y = width_m / n_x, width_m / n_y
    x = np.linspace(-half + step_x / 2, half - step_x / 2, n_x)
    y = np.linspace(-half + step_y / 2, half - step_y / 2, n_y)
    yy, xx = np.meshgrid(y, x, indexing="ij")
    return np.stack([xx, yy, np.full_like(xx, distance_m)], axis=-1)


def layout() -> InstrumentLayout:
    panel = specs.PANEL
    bank = BankLayout(
        name=panel.name,
        dims=tuple(panel.dims),
        detector_number=panel.detector_numbers(),
        positions=panel_positions(
            *panel.shape,
            width_m=specs.PANEL_WIDTH_M,
            distance_m=specs.PANEL_DISTANCE_M,
        ),
    )
    source_z = -specs.SOURCE_TO_SAMPLE_M
    monitors = tuple(
        MonitorLayout(name, (0.0, 0.0, source_z + distance))
        for name, distance in specs.instrument.monitors.items()
    )
    return InstrumentLayout(
        instrument=specs.instrument.name,
        banks=(bank,),
        source_position=(0.0, 0.0, source_z),
        sample_position=(0.0, 0.0, 0.0),
        monitors=monitors,
    )
