"""DREAM detector views: screen projections per bank and the wavelength mode (E1, E2).

Pixel positions come from the registered NeXus geometry file valid today
(``instrument_geometry``): cylinder mantle for the mantle, xy plane for the
endcaps and the high-resolution panel; the logical mantle view sums wires and
counters into (strip, sector). In wavelength mode DREAM needs more than
``wavelength_transform`` (t0 = 0): its pulse-shaping choppers set the time origin
and slow neutrons wrap into the next pulse, so ``FrameShiftedView`` moves each
event's time of arrival to its frame (per pixel) before the linear map.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import scipp as sc

from livedata.instruments.instrument_geometry import (
    InstrumentGeometry,
    instrument_geometry,
)
from livedata.workflows.detector_view_spec import DetectorViewParams
from livedata.workflows.frame_shifted_view import frame_shifted_detector_view
from livedata.workflows.lookup_tables import FrameUnwrap
from livedata.workflows.projection import ScreenProjection, geometric_projection

from . import banks, specs
from .wavelength import frame_unwrap

_SCREENS = {
    banks.MANTLE.name: ("cylinder_mantle_z", specs.MANTLE_SCREEN),
    banks.ENDCAP_BACKWARD.name: ("xy_plane", specs.ENDCAP_SCREEN),
    banks.ENDCAP_FORWARD.name: ("xy_plane", specs.ENDCAP_SCREEN),
    banks.HIGH_RESOLUTION.name: ("xy_plane", specs.HIGH_RES_SCREEN),
    banks.SANS.name: ("xy_plane", specs.SANS_SCREEN),
}


def geometry() -> InstrumentGeometry:
    """DREAM's geometry file valid today, read once per process and file."""
    return instrument_geometry("dream")


@cache
def geometric(the_geometry: InstrumentGeometry, bank_name: str) -> ScreenProjection:
    kind, resolution = _SCREENS[bank_name]
    bank = the_geometry.bank(bank_name)
    return geometric_projection(
        sc.vectors(dims=list(bank.dims), values=bank.positions, unit="m"),
        first_pixel_id=the_geometry.first_detector_number(bank_name),
        kind=kind,
        resolution=resolution,
        replicas=4,
        noise_sigma=sc.scalar(0.004, unit="m"),
    )


@cache
def mantle_strip_sector(the_geometry: InstrumentGeometry) -> ScreenProjection:
    """(strip, sector) with sector = module * n_segment + segment; sums the rest."""
    name = banks.MANTLE.name
    bank = the_geometry.bank(name)
    sizes = dict(zip(bank.dims, bank.shape, strict=True))
    index = np.meshgrid(*(np.arange(n) for n in bank.shape), indexing="ij")
    axis = dict(zip(bank.dims, index, strict=True))
    n_sector = sizes["module"] * sizes["segment"]
    sector = (axis["module"] * sizes["segment"] + axis["segment"]).ravel()
    strip = axis["strip"].ravel()
    shape = (sizes["strip"], n_sector)
    return ScreenProjection(
        lut=(strip * n_sector + sector).astype(np.int32).reshape(-1, 1),
        first_pixel_id=the_geometry.first_detector_number(name),
        dims=("strip", "sector"),
        shape=shape,
        edges={
            "strip": sc.arange("strip", shape[0] + 1, dtype="float64") - 0.5,
            "sector": sc.arange("sector", shape[1] + 1, dtype="float64") - 0.5,
        },
        pixel_coords={"strip": strip.astype(float), "sector": sector.astype(float)},
    )


@cache
def fold(
    the_geometry: InstrumentGeometry, bank_name: str, rows: str, front_only: bool
) -> ScreenProjection:
    """The logical screen ``specs.fold_screen`` describes: ``rows`` down, sectors
    (module x segment) or the binned "other" axis across, the rest summed;
    ``front_only`` keeps the innermost wire (wire 0) and drops the others."""
    bank = the_geometry.bank(bank_name)
    dims, shape, _ = specs.fold_screen(bank, rows)
    axis = dict(zip(bank.dims, np.indices(bank.shape), strict=True))
    sizes = dict(zip(bank.dims, bank.shape, strict=True))
    row = axis[rows].ravel()
    if dims[1] == "sector":
        col = (axis["module"] * sizes["segment"] + axis["segment"]).ravel()
    else:
        col = axis["other"].ravel() * shape[1] // sizes["other"]
    lut = (row * shape[1] + col).astype(np.int32)
    if front_only:
        lut[axis["wire"].ravel() != 0] = -1
    return ScreenProjection(
        lut=lut.reshape(-1, 1),
        first_pixel_id=the_geometry.first_detector_number(bank_name),
        dims=dims,
        shape=shape,
        edges={
            # unit None (pixel index), as the spec declares (G7)
            dim: sc.array(dims=[dim], values=np.arange(size + 1) - 0.5, unit=None)
            for dim, size in zip(dims, shape, strict=True)
        },
        pixel_coords={dims[0]: row.astype(float), dims[1]: col.astype(float)},
    )


@cache
def unwrap_for(the_geometry: InstrumentGeometry, bank_name: str) -> FrameUnwrap:
    return frame_unwrap(the_geometry.flight_paths(bank_name))


def make_view(
    source_name: str,
    projection: ScreenProjection,
    params: DetectorViewParams,
    the_geometry: InstrumentGeometry,
    *,
    screen_unit: str | None = "m",
):
    """A detector view of one bank; converted modes go through FrameShiftedView."""
    unwrap = unwrap_for(the_geometry, source_name)
    return frame_shifted_detector_view(
        source_name=source_name,
        projection=projection,
        params=params,
        shift_ns=unwrap.shift_ns,
        wavelength=(unwrap.scale, unwrap.offset),
        flight_path_m=the_geometry.flight_paths(source_name),
        screen_unit=screen_unit,
    )
