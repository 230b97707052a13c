"""LOKI pixel layout (NumPy only): the numbers the geometry file is made from.

Sample at the origin, beam along +z. Each bank is a panel facing the sample:
``tube`` runs across the panel at ``TUBE_PITCH_M``, the seven straws of a tube
sit in a hexagonal cluster (one in the centre, six around it), ``pixel`` runs
along the straw, and the four layers stand one behind the other, each shifted by
a quarter pitch so straws of later layers look through the gaps. Left, right and
rear banks hold vertical tubes, top and bottom banks horizontal ones. Detector
numbers run in row-major (layer, tube, straw, pixel) order; the file stores each
bank flat, in that order, and esssans folds it (``DetectorBankSizes``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.instruments.instrument import DetectorConfig
from livedata.instruments.pixel_layout import (
    BankLayout,
    InstrumentLayout,
    MonitorLayout,
)

from . import banks

STRAW_DIAMETER_M = 0.00775
STRAW_CLUSTER_RADIUS_M = 0.0085  # centre of the outer six straws from the tube axis
LAYER_DEPTH_M = 0.03


def _centres(low: float, high: float, n: int) -> np.ndarray:
    step = (high - low) / n
    return np.linspace(low + step / 2, high - step / 2, n)


def _straw_offsets() -> tuple[np.ndarray, np.ndarray]:
    """(across, depth) offsets of the seven straws from their tube's axis."""
    angles = np.deg2rad(np.arange(6) * 60.0)
    across = np.concatenate([[0.0], STRAW_CLUSTER_RADIUS_M * np.cos(angles)])
    depth = np.concatenate([[0.0], STRAW_CLUSTER_RADIUS_M * np.sin(angles)])
    return across, depth


def bank_positions(config: DetectorConfig) -> np.ndarray:
    """Pixel centres (layer, tube, straw, pixel, 3) in metres, at the bank's
    placement (the rear bank where the nominal carriage puts it)."""
    place = banks.PLACEMENTS[config.name]
    n_layer, n_tube, n_straw, n_pixel = config.shape
    pitch = banks.TUBE_PITCH_M
    width = n_tube * pitch
    if place.side == "centre":
        tube_across = _centres(-width / 2, width / 2, n_tube)
    else:
        tube_across = _centres(place.inner_m, place.inner_m + width, n_tube)
    straw_across, straw_depth = _straw_offsets()
    layer = np.arange(n_layer)
    along = _centres(-place.length_m / 2, place.length_m / 2, n_pixel)
    la, tu, st, px = np.meshgrid(
        layer, np.arange(n_tube), np.arange(n_straw), np.arange(n_pixel), indexing="ij"
    )
    across = tube_across[tu] + straw_across[st] + (la % 2) * pitch / 4
    depth = la * LAYER_DEPTH_M + straw_depth[st]
    if place.side in ("left", "bottom"):
        across = -across
    z = place.z_m + depth
    if place.side in ("centre", "left", "right"):  # vertical tubes
        return np.stack([across, along[px], z], axis=-1)
    return np.stack([along[px], across, z], axis=-1)  # horizontal tubes


def bank_layout(config: DetectorConfig) -> BankLayout:
    return BankLayout(
        name=config.name,
        dims=config.dims,
        detector_number=config.detector_numbers(),
        positions=bank_positions(config),
        flat_in_file=True,  # as LOKI's files: esssans folds with DetectorBankSizes
    )


@cache
def layout() -> InstrumentLayout:
    """The whole instrument (cached: the arrays are shared, do not modify them)."""
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
    """A straw's width times a pixel's length along it."""
    place = banks.PLACEMENTS[config.name]
    return STRAW_DIAMETER_M * place.length_m / config.shape[-1]
