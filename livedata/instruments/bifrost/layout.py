"""BIFROST pixel layout (NumPy only): what the geometry file, views and fakes share.

Sample at the origin, beam along +z. Channel c looks at scattering angle
2theta = 5 + 10 c degrees in the horizontal plane; each arc's analysers send
neutrons down to tubes 0.3 m below that plane, farther out for higher arcs.
A tube spans 3 degrees of scattering angle with its 100 pixels.
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

TUBE_SPAN_DEG = 3.0


def channel_two_theta_deg(channel: np.ndarray | int) -> np.ndarray:
    return 5.0 + 10.0 * np.asarray(channel, dtype=float)


def unified_positions() -> np.ndarray:
    """Pixel centres (arc, tube, channel, pixel, 3) in metres."""
    arc, tube, channel, pixel = np.meshgrid(
        *(np.arange(n) for n in banks.UNIFIED.shape), indexing="ij"
    )
    radius = 1.1 + 0.1 * arc + 0.03 * tube
    offset = (pixel / (banks.N_PIXEL - 1) - 0.5) * TUBE_SPAN_DEG
    angle = np.deg2rad(channel_two_theta_deg(channel) + offset)
    return np.stack(
        [radius * np.sin(angle), np.full(radius.shape, -0.3), radius * np.cos(angle)],
        axis=-1,
    )


def unified_numbers() -> np.ndarray:
    """Detector numbers in the (arc, tube, channel, pixel) shape."""
    return banks.UNIFIED.detector_numbers()


def triplet_numbers(arc: int, channel: int) -> np.ndarray:
    """The 300 detector numbers of one triplet (tube, pixel)."""
    return unified_numbers()[arc, :, channel, :]


@cache
def layout() -> InstrumentLayout:
    source_z = -banks.SOURCE_TO_SAMPLE_M
    bank = BankLayout(
        name=banks.UNIFIED.name,
        dims=banks.UNIFIED.dims,
        detector_number=unified_numbers(),
        positions=unified_positions(),
    )
    return InstrumentLayout(
        instrument="bifrost",
        banks=(bank,),
        source_position=(0.0, 0.0, source_z),
        sample_position=(0.0, 0.0, 0.0),
        monitors=tuple(
            MonitorLayout(name, (0.0, 0.0, source_z + distance))
            for name, distance in sorted(banks.MONITORS.items())  # as files list them
        ),
    )
