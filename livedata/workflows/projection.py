"""Pixel -> screen lookup tables, built once per job (E1).

Geometric projections use essreduce's live helpers for the geometry (noisy position
replicas, projection onto the xy plane or a cylinder mantle); the result is reduced
to an integer table ``lut[pixel, replica] -> flat screen bin`` so that the per-event
work is a table look-up in the histogram kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipp as sc


@dataclass(frozen=True)
class ScreenProjection:
    """Where each pixel (and each of its noisy replicas) lands on a 2-D screen."""

    lut: np.ndarray  # int32 (n_pixels, n_replicas): flat screen bin, -1 = off screen
    first_pixel_id: int
    dims: tuple[str, str]
    shape: tuple[int, int]
    edges: dict[str, sc.Variable]  # bin edges per screen dim
    pixel_coords: dict[str, np.ndarray]  # nominal (replica 0) screen position per pixel

    @property
    def n_pixels(self) -> int:
        return self.lut.shape[0]

    @property
    def n_replicas(self) -> int:
        return self.lut.shape[1]

    @property
    def n_screen(self) -> int:
        return self.shape[0] * self.shape[1]

    def image(self, pixel_counts: np.ndarray) -> np.ndarray:
        """Spread per-pixel counts evenly over each pixel's replica bins: (ny, nx).

        The expected value of choosing a replica per event, without its noise.
        """
        weights = np.repeat(pixel_counts / self.n_replicas, self.n_replicas)
        flat = self.lut.ravel()
        on_screen = flat >= 0
        image = np.bincount(
            flat[on_screen], weights=weights[on_screen], minlength=self.n_screen
        )
        return image.reshape(self.shape)


def _bin_lut(
    coords: dict[str, np.ndarray],
    dims: tuple[str, str],
    shape: tuple[int, int],
    unit: str | None,
    first_pixel_id: int,
) -> ScreenProjection:
    """Histogram projected (pixel, replica) coordinates onto a regular screen grid."""
    edges = {}
    indices = []
    for dim, size in zip(dims, shape, strict=True):
        values = coords[dim]
        lo, hi = float(values.min()), float(values.max())
        pad = (hi - lo) * 1e-6 or 1e-9
        lo, hi = lo - pad, hi + pad
        edges[dim] = sc.linspace(dim, lo, hi, size + 1, unit=unit)
        idx = np.floor((values - lo) / (hi - lo) * size).astype(np.int64)
        indices.append(np.clip(idx, 0, size - 1))
    flat = (indices[0] * shape[1] + indices[1]).astype(np.int32)
    return ScreenProjection(
        lut=np.ascontiguousarray(flat),
        first_pixel_id=first_pixel_id,
        dims=dims,
        shape=shape,
        edges=edges,
        pixel_coords={dim: coords[dim][:, 0].copy() for dim in dims},
    )


def geometric_projection(
    positions: sc.Variable,
    *,
    first_pixel_id: int,
    kind: Literal["xy_plane", "cylinder_mantle_z"],
    resolution: tuple[int, int],
    replicas: int = 4,
    noise_sigma: sc.Variable | None = None,
) -> ScreenProjection:
    """Project calibrated pixel positions (vector3, in pixel-id order) onto a screen.

    ``replicas`` noisy copies of each position smooth the image: an event picks one
    replica, so neighbouring pixels fill the screen without moiré gaps.
    """
    from ess.reduce.live import raw

    flat = positions.flatten(to="detector_number").to(unit="m")
    detector = sc.DataArray(sc.zeros(sizes=flat.sizes), coords={"position": flat})
    sigma = noise_sigma if noise_sigma is not None else sc.scalar(0.002, unit="m")
    noisy = raw.position_with_noisy_replicas(
        detector=detector,
        position_noise=raw.gaussian_position_noise(sigma),
        replicas=max(replicas - 1, 0),
    )
    if kind == "xy_plane":
        projected = raw.make_xy_plane_coords(noisy)
        dims, names = ("y", "x"), ("y", "x")
        unit = "m"
    elif kind == "cylinder_mantle_z":
        projected = raw.make_cylinder_mantle_coords(noisy, axis="z")
        dims, names = ("z", "arc_length"), ("z", "arc_length")
        unit = "m"
    else:
        raise ValueError(f"unknown projection {kind!r}")
    coords = {
        dim: projected[name]
        .transpose(["detector_number", "replica"])
        .to(unit=unit)
        .values
        for dim, name in zip(dims, names, strict=True)
    }
    return _bin_lut(coords, dims, resolution, unit, first_pixel_id)


def logical_projection(
    shape: tuple[int, int],
    *,
    first_pixel_id: int,
    dims: tuple[str, str] = ("y", "x"),
    downsample: int = 1,
) -> ScreenProjection:
    """Fold consecutive detector numbers into (rows, columns), optionally binned down."""
    if downsample < 1 or shape[0] % downsample or shape[1] % downsample:
        raise ValueError(f"downsample {downsample} must divide the shape {shape}")
    rows, cols = np.divmod(np.arange(shape[0] * shape[1]), shape[1])
    out_shape = (shape[0] // downsample, shape[1] // downsample)
    flat = (rows // downsample) * out_shape[1] + cols // downsample
    # unit None (pixel index), as the logical view's spec declares (G7)
    edges = {
        dim: sc.array(
            dims=[dim], values=np.arange(size + 1) * float(downsample) - 0.5, unit=None
        )
        for dim, size in zip(dims, out_shape, strict=True)
    }
    return ScreenProjection(
        lut=flat.astype(np.int32).reshape(-1, 1),
        first_pixel_id=first_pixel_id,
        dims=dims,
        shape=out_shape,
        edges=edges,
        pixel_coords={dims[0]: rows.astype(float), dims[1]: cols.astype(float)},
    )


def synthetic_panel_positions(
    n_y: int, n_x: int, *, width_m: float = 1.0, distance_m: float = 4.0
) -> sc.Variable:
    """A flat square panel facing the beam, pixels in row-major id order."""
    half = width_m / 2
    step_x, step_y = width_m / n_x, width_m / n_y
    x = np.linspace(-half + step_x / 2, half - step_x / 2, n_x)
    y = np.linspace(-half + step_y / 2, half - step_y / 2, n_y)
    yy, xx = np.meshgrid(y, x, indexing="ij")
    values = np.stack([xx, yy, np.full_like(xx, distance_m)], axis=-1)
    return sc.vectors(dims=["y", "x"], values=values, unit="m")
