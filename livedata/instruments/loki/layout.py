"""LOKI pixel layout (NumPy only): what the geometry file, views and fakes share.

Sample at the origin, beam along +z. Each bank is a flat panel facing the
sample; a bank's detector numbers run tube by tube (row-major (tube, pixel)).
Left/right panels hold vertical tubes, top/bottom panels horizontal ones.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.config.instrument import DetectorConfig
from livedata.geometry.layout import BankLayout, InstrumentLayout, MonitorLayout

from . import banks


def _centres(low: float, high: float, n: int) -> np.ndarray:
    step = (high - low) / n
    return np.linspace(low + step / 2, high - step / 2, n)


def bank_positions(config: DetectorConfig) -> np.ndarray:
    """Pixel centres (tube, pixel, 3) in metres."""
    place = banks.PLACEMENTS[config.name]
    n_tube, n_pixel = config.shape
    along = _centres(-place.length_m / 2, place.length_m / 2, n_pixel)
    if place.side == "centre":
        across = _centres(-place.outer_m, place.outer_m, n_tube)
    else:
        across = _centres(place.inner_m, place.outer_m, n_tube)
    if place.side in ("left", "bottom"):
        across = -across[::-1]
    tube, pixel = np.meshgrid(across, along, indexing="ij")
    z = np.full_like(tube, place.z_m)
    if place.side in ("centre", "left", "right"):  # vertical tubes
        return np.stack([tube, pixel, z], axis=-1)
    return np.stack([pixel, tube, z], axis=-1)  # horizontal tubes


def bank_layout(config: DetectorConfig) -> BankLayout:
    return BankLayout(
        name=config.name,
        dims=config.dims,
        detector_number=config.detector_numbers(),
        positions=bank_positions(config),
    )


@cache
def layout() -> InstrumentLayout:
    source_z = -banks.SOURCE_TO_SAMPLE_M
    return InstrumentLayout(
        instrument="loki",
        banks=tuple(bank_layout(config) for config in banks.BANKS),
        source_position=(0.0, 0.0, source_z),
        sample_position=(0.0, 0.0, 0.0),
        monitors=tuple(
            MonitorLayout(name, (0.0, 0.0, source_z + distance))
            for name, distance in banks.MONITORS.items()
        ),
    )


def two_theta(positions: np.ndarray) -> np.ndarray:
    """Scattering angle (rad) of pixels at ``positions`` (..., 3), beam along +z."""
    radial = np.hypot(positions[..., 0], positions[..., 1])
    return np.arctan2(radial, positions[..., 2])


def solid_angle(positions: np.ndarray, pixel_area_m2: float) -> np.ndarray:
    """Solid angle (sr) of flat pixels facing the sample along z: A cos(a) / r^2."""
    r = np.linalg.norm(positions, axis=-1)
    return pixel_area_m2 * np.abs(positions[..., 2]) / r**3


def pixel_area_m2(config: DetectorConfig) -> float:
    place = banks.PLACEMENTS[config.name]
    n_tube, n_pixel = config.shape
    width = (
        2 * place.outer_m if place.side == "centre" else place.outer_m - place.inner_m
    )
    return (width / n_tube) * (place.length_m / n_pixel)
