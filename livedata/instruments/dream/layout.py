"""DREAM's detector banks as pixel positions (the numbers the geometry file holds).

Synthetic but realistic: sample at the origin, beam along +z, source at
z = -76.55 m. The banks cover the scattering angles DREAM covers:

- mantle: a cylinder around the beam (inner radius 1.1 m, z in [-1.1, 1.1] m), so
  2theta ~45-135 deg; module x segment are azimuthal sectors over 180 deg, strips
  run along z, wires (and the two counters) go outwards in depth.
- endcap_forward: an annulus at z = +1.5 m, 2theta ~11-39 deg.
- endcap_backward: an annulus at z = -1.3 m, 2theta ~146-173 deg.
- high_resolution: a flat panel 2.0 m from the sample facing it at 2theta = 160 deg;
  its "other" axis alternates between two depth layers along the panel.
- sans: a flat panel 3.0 m downstream facing the beam, beside it (2theta ~1-7 deg).

Real pixel counts and detector numbers (see banks.py). NumPy only.
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

MANTLE_RADIUS_M = 1.1
MANTLE_HALF_LENGTH_M = 1.1
MANTLE_DEPTH_M = 0.3  # radial depth covered by wires and counters
MANTLE_AZIMUTH_DEG = (-90.0, 90.0)
ENDCAP_FORWARD_Z_M = 1.5
ENDCAP_FORWARD_RADII_M = (0.3, 1.2)
ENDCAP_BACKWARD_Z_M = -1.3
ENDCAP_BACKWARD_RADII_M = (0.15, 0.9)
ENDCAP_DEPTH_M = 0.2
HIGH_RES_DISTANCE_M = 2.0
HIGH_RES_TWO_THETA_DEG = 160.0
HIGH_RES_SIZE_M = (0.3, 0.6)  # along strip, along other
HIGH_RES_LAYER_M = 0.01


def _centres(lo: float, hi: float, n: int) -> np.ndarray:
    step = (hi - lo) / n
    return lo + step * (np.arange(n) + 0.5)


def _bank(config: DetectorConfig, positions: np.ndarray) -> BankLayout:
    return BankLayout(
        name=config.name,
        dims=config.dims,
        detector_number=config.detector_numbers(),
        positions=np.ascontiguousarray(positions, dtype=float),
    )


def mantle() -> BankLayout:
    cfg = banks.MANTLE
    n_wire, n_module, n_segment, n_strip, n_counter = cfg.shape
    wire, module, segment, strip, counter = np.meshgrid(
        *(np.arange(n) for n in cfg.shape), indexing="ij"
    )
    sector = module * n_segment + segment
    azimuth = np.deg2rad(_centres(*MANTLE_AZIMUTH_DEG, n_module * n_segment)[sector])
    layer = wire * n_counter + counter
    radius = MANTLE_RADIUS_M + _centres(0, MANTLE_DEPTH_M, n_wire * n_counter)[layer]
    z = _centres(-MANTLE_HALF_LENGTH_M, MANTLE_HALF_LENGTH_M, n_strip)[strip]
    positions = np.stack(
        [radius * np.cos(azimuth), radius * np.sin(azimuth), z], axis=-1
    )
    return _bank(cfg, positions)


def _endcap(cfg: DetectorConfig, z0: float, radii: tuple[float, float]) -> BankLayout:
    """Annulus perpendicular to the beam: segments around, module x strip outwards."""
    n_strip, n_wire, n_module, n_segment, n_counter = cfg.shape
    strip, wire, module, segment, counter = np.meshgrid(
        *(np.arange(n) for n in cfg.shape), indexing="ij"
    )
    ring = module * n_strip + strip
    radius = _centres(*radii, n_module * n_strip)[ring]
    azimuth = _centres(0.0, 2 * np.pi, n_segment)[segment]
    layer = wire * n_counter + counter
    depth = _centres(0.0, ENDCAP_DEPTH_M, n_wire * n_counter)[layer]
    z = z0 + np.sign(z0) * depth
    positions = np.stack(
        [radius * np.cos(azimuth), radius * np.sin(azimuth), z], axis=-1
    )
    return _bank(cfg, positions)


def endcap_forward() -> BankLayout:
    return _endcap(banks.ENDCAP_FORWARD, ENDCAP_FORWARD_Z_M, ENDCAP_FORWARD_RADII_M)


def endcap_backward() -> BankLayout:
    return _endcap(banks.ENDCAP_BACKWARD, ENDCAP_BACKWARD_Z_M, ENDCAP_BACKWARD_RADII_M)


def high_resolution() -> BankLayout:
    """Flat panel in the x-z plane's normal direction at 2theta = 160 deg (x > 0).

    Strips run across the panel (y); along it, consecutive "other" pixels
    alternate between two layers 1 cm apart in depth.
    """
    cfg = banks.HIGH_RESOLUTION
    n_strip, n_other = cfg.shape
    n_layer = 2
    angle = np.deg2rad(HIGH_RES_TWO_THETA_DEG)
    normal = np.array([np.sin(angle), 0.0, np.cos(angle)])
    centre = HIGH_RES_DISTANCE_M * normal
    along_strip = np.array([0.0, 1.0, 0.0])
    along_other = np.array([np.cos(angle), 0.0, -np.sin(angle)])
    s = _centres(-HIGH_RES_SIZE_M[0] / 2, HIGH_RES_SIZE_M[0] / 2, n_strip)
    lateral = np.arange(n_other) // n_layer
    o = _centres(-HIGH_RES_SIZE_M[1] / 2, HIGH_RES_SIZE_M[1] / 2, n_other // n_layer)
    depth = (np.arange(n_other) % n_layer) * HIGH_RES_LAYER_M
    ss, oo = np.meshgrid(s, o[lateral], indexing="ij")
    dd = np.broadcast_to(depth, ss.shape)
    positions = (
        centre
        + ss[..., None] * along_strip
        + oo[..., None] * along_other
        + dd[..., None] * normal
    )
    return _bank(cfg, positions)


SANS_Z_M = 3.0
SANS_X_M = (0.05, 0.35)  # across the strips
SANS_Y_M = (-0.15, 0.15)  # along "other"


def sans() -> BankLayout:
    """Strips run across x; "other" runs along y."""
    n_strip, n_other = banks.SANS.shape
    x, y = np.meshgrid(
        _centres(*SANS_X_M, n_strip), _centres(*SANS_Y_M, n_other), indexing="ij"
    )
    positions = np.stack([x, y, np.full_like(x, SANS_Z_M)], axis=-1)
    return _bank(banks.SANS, positions)


@cache
def layout() -> InstrumentLayout:
    """The whole instrument (cached: the arrays are shared, do not modify them)."""
    source_z = -banks.SOURCE_TO_SAMPLE_M
    return InstrumentLayout(
        instrument="dream",
        banks=(
            mantle(),
            endcap_backward(),
            endcap_forward(),
            high_resolution(),
            sans(),
        ),
        source_position=(0.0, 0.0, source_z),
        sample_position=(0.0, 0.0, 0.0),
        monitors=tuple(
            MonitorLayout(name, (0.0, 0.0, source_z + distance))
            for name, distance in banks.MONITORS.items()
        ),
    )


def two_theta_deg(positions: np.ndarray) -> np.ndarray:
    """Scattering angle of positions (..., 3) with the beam along +z, in degrees."""
    r = np.linalg.norm(positions, axis=-1)
    return np.rad2deg(np.arccos(positions[..., 2] / r))
