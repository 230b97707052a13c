"""DREAM detector views: screen projections per bank and the wavelength mode (E1, E2).

Geometric projections come from the layout (cylinder mantle for the mantle, xy
plane for the endcaps and the high-resolution panel); the logical mantle view sums
wires and counters into (strip, sector). In wavelength mode DREAM needs more than
``wavelength_transform`` (t0 = 0): its pulse-shaping choppers set the time origin
and slow neutrons wrap into the next pulse, so ``FrameShiftedView`` moves each
event's time of arrival to its frame (per pixel) before the linear map.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import scipp as sc

from livedata.core.events import DetectorEvents
from livedata.core.timestamp import Timestamp
from livedata.workflows.detector_view import DetectorViewWorkflow
from livedata.workflows.detector_view_spec import DetectorViewParams
from livedata.workflows.edges import CoordinateMode
from livedata.workflows.projection import ScreenProjection, geometric_projection

from . import banks, specs
from .layout import layout
from .wavelength import PULSE_PERIOD_NS, FrameUnwrap, frame_unwrap

_SCREENS = {
    banks.MANTLE.name: ("cylinder_mantle_z", specs.MANTLE_SCREEN),
    banks.ENDCAP_BACKWARD.name: ("xy_plane", specs.ENDCAP_SCREEN),
    banks.ENDCAP_FORWARD.name: ("xy_plane", specs.ENDCAP_SCREEN),
    banks.HIGH_RESOLUTION.name: ("xy_plane", specs.HIGH_RES_SCREEN),
}


def _positions(bank_name: str) -> sc.Variable:
    bank = layout().bank(bank_name)
    return sc.vectors(dims=list(bank.dims), values=bank.positions, unit="m")


@cache
def geometric(bank_name: str) -> ScreenProjection:
    kind, resolution = _SCREENS[bank_name]
    bank = layout().bank(bank_name)
    return geometric_projection(
        _positions(bank_name),
        first_pixel_id=int(bank.detector_number.flat[0]),
        kind=kind,
        resolution=resolution,
        replicas=4,
        noise_sigma=sc.scalar(0.004, unit="m"),
    )


@cache
def mantle_strip_sector() -> ScreenProjection:
    """(strip, sector) with sector = module * n_segment + segment; sums the rest."""
    cfg = banks.MANTLE
    _wire, module, segment, strip, _counter = np.meshgrid(
        *(np.arange(n) for n in cfg.shape), indexing="ij"
    )
    n_sector = cfg.shape[1] * cfg.shape[2]
    sector = (module * cfg.shape[2] + segment).ravel()
    strip = strip.ravel()
    shape = (cfg.shape[3], n_sector)
    return ScreenProjection(
        lut=(strip * n_sector + sector).astype(np.int32).reshape(-1, 1),
        first_pixel_id=cfg.first_detector_number,
        dims=("strip", "sector"),
        shape=shape,
        edges={
            "strip": sc.arange("strip", shape[0] + 1, dtype="float64") - 0.5,
            "sector": sc.arange("sector", shape[1] + 1, dtype="float64") - 0.5,
        },
        pixel_coords={"strip": strip.astype(float), "sector": sector.astype(float)},
    )


@cache
def flight_paths(bank_name: str) -> np.ndarray:
    positions = layout().bank(bank_name).positions.reshape(-1, 3)
    return banks.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions, axis=1)


@cache
def unwrap_for(bank_name: str) -> FrameUnwrap:
    return frame_unwrap(flight_paths(bank_name))


class FrameShiftedView:
    """A DetectorViewWorkflow whose events are shifted into their frame first.

    toa' = (toa - shift[pixel]) mod period, so wavelength = scale * toa' + offset is
    linear per pixel. Only used in wavelength mode; the view's ``toa_range`` then
    applies to the shifted time.
    """

    def __init__(
        self,
        view: DetectorViewWorkflow,
        source_name: str,
        unwrap: FrameUnwrap,
        first_pixel_id: int,
    ) -> None:
        self._view = view
        self._source = source_name
        self._shift = unwrap.shift_ns
        self._first = first_pixel_id

    def _shifted(self, chunk: DetectorEvents) -> DetectorEvents:
        index = np.asarray(chunk.pixel_id, dtype=np.int64) - self._first
        np.clip(index, 0, self._shift.size - 1, out=index)
        toa = np.mod(chunk.time_of_arrival - self._shift[index], PULSE_PERIOD_NS)
        return DetectorEvents(chunk.pixel_id, toa)

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        chunks = data.get(self._source)
        if chunks is not None:
            if isinstance(chunks, DetectorEvents):
                chunks = (chunks,)
            data = {**data, self._source: [self._shifted(c) for c in chunks]}
        self._view.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, sc.DataArray]:
        return self._view.finalize()

    def clear(self) -> None:
        self._view.clear()


def make_view(
    source_name: str,
    projection: ScreenProjection,
    params: DetectorViewParams,
    *,
    screen_unit: str | None = "m",
):
    """A detector view of one bank; wavelength mode goes through FrameShiftedView."""
    unwrap = unwrap_for(source_name)
    view = DetectorViewWorkflow(
        source_name=source_name,
        projection=projection,
        params=params,
        wavelength=(unwrap.scale, unwrap.offset),
        flight_path_m=flight_paths(source_name),
        screen_unit=screen_unit,
    )
    # Both converted coordinates need the events unwrapped into their frame first.
    if params.coordinate_mode in (
        CoordinateMode.WAVELENGTH,
        CoordinateMode.TIME_OF_FLIGHT,
    ):
        return FrameShiftedView(view, source_name, unwrap, projection.first_pixel_id)
    return view
