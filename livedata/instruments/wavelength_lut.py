"""The facility's ``wavelength_lut`` workflow on essreduce (heavy: scipp, essreduce).

essreduce's analytical mode (``ess.reduce.unwrap``) propagates the ESS pulse
through the instrument's disk choppers and gives, per flight distance and time
in the frame, the mean wavelength of the neutrons arriving then (the lookup
table), and the chopper cascade's frames, from which the bands at chosen
distances follow (:mod:`livedata.workflows.cascade_bands`). The workflow is
set up by :func:`livedata.workflows.lookup_tables.analytical_workflow`, the one
import of that module here, so the tables of views and this one agree.

An instrument whose chopper settings are not available offline (LOKI, TBL,
BIFROST) has no choppers here: its table is the unchopped pulse over the flight
path, its wavelengths limited to the band its bandwidth choppers would pass
where the instrument states one, and its bands are the pulse's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipp as sc

from livedata.core.workflow import WorkflowContext
from livedata.workflows.cascade_bands import bands
from livedata.workflows.facility.convert import scipp_unit
from livedata.workflows.facility.lut_params import (
    WavelengthLutParams,
    band_distances_m,
    metres,
)
from livedata.workflows.lookup_tables import analytical_workflow

WAVELENGTH = "angstrom"


def no_choppers() -> dict:
    return {}


@dataclass(frozen=True)
class Beamline:
    """What the table needs of an instrument, in its sample frame (sample at
    the origin, beam along +z): the source's distance upstream, its disk
    choppers (made on demand: ess packages are imported then) and the band of
    its bandwidth choppers when their settings are not available."""

    source_to_sample_m: float
    choppers: Callable[[], Mapping[str, Any]] = no_choppers
    wavelength_band_angstrom: tuple[float, float] | None = None


def _check(params: WavelengthLutParams) -> None:
    """Refuse params the table cannot be made from, before the job starts."""
    span = params.distance_range
    if metres(span.stop, span.unit) <= metres(span.start, span.unit):
        raise ValueError("distance_range: stop must be greater than start")
    if params.distance_resolution.value <= 0:
        raise ValueError("distance_resolution: value must be positive")
    if params.time_resolution.value <= 0:
        raise ValueError("time_resolution: value must be positive")
    band_distances_m(params)


def compute(beamline: Beamline, params: WavelengthLutParams) -> dict[str, sc.DataArray]:
    """Both outputs of the facility's ``wavelength_lut`` for ``params``."""
    import scippnexus as snx
    from ess.reduce.nexus.types import SampleRun
    from ess.reduce.unwrap import LookupTable
    from ess.reduce.unwrap.lut import (
        ChopperFrameSequence,
        DistanceResolution,
        PulsePeriod,
        PulseStride,
        TimeResolution,
    )

    span = params.distance_range
    ltotal = (metres(span.start, span.unit), metres(span.stop, span.unit))
    offset = metres(params.source.offset, params.source.unit)
    source = sc.vector([0.0, 0.0, offset - beamline.source_to_sample_m], unit="m")
    wf = analytical_workflow(
        choppers=beamline.choppers(),
        source_position=source,
        ltotal_range_m=ltotal,
        wavelength_band_angstrom=beamline.wavelength_band_angstrom,
    )
    resolution = params.distance_resolution
    wf[DistanceResolution] = sc.scalar(resolution.value, unit=resolution.unit)
    time_unit = scipp_unit(params.time_resolution.unit)
    wf[TimeResolution] = sc.scalar(params.time_resolution.value, unit=time_unit)
    wf[PulsePeriod] = (1.0 / sc.scalar(params.pulse.frequency, unit="Hz")).to(unit="us")
    if not params.pulse.auto_stride:
        wf[PulseStride[SampleRun]] = PulseStride[SampleRun](params.pulse.stride)
    table_key = LookupTable[SampleRun, snx.NXdetector]
    frames_key = ChopperFrameSequence[SampleRun]
    computed = wf.compute((table_key, frames_key))
    table, frames = computed[table_key], computed[frames_key]
    lut = table.array.copy()
    lut.coords["distance"] = lut.coords["distance"].to(unit=span.unit)
    lut.coords["event_time_offset"] = lut.coords["event_time_offset"].to(unit=time_unit)
    frame_period = (table.pulse_period * table.pulse_stride).to(unit=time_unit)
    return {
        "wavelength_lut": lut.to(unit=WAVELENGTH),
        "chopper_cascade_bands": cascade_bands(frames, frame_period, ltotal, params),
    }


def default_band_distances_m(frames, ltotal_m: tuple[float, float]) -> list[float]:
    """The range's ends and every chopper between them."""
    start, stop = ltotal_m
    choppers = [
        float(frame.distance.to(unit="m").value)
        for frame in list(frames)[1:]
        if start < frame.distance.to(unit="m").value < stop
    ]
    return [start, *sorted(choppers), stop]


def _band_at(frames, distance_m: float, frame_period: sc.Variable, num_bins: int):
    """(lowest, highest) wavelength per time bin at ``distance_m``: the last
    frame at or before it (after the choppers upstream), propagated there."""
    distance = sc.scalar(distance_m, unit="m")
    before = [f for f in frames if f.distance.to(unit="m").value <= distance_m]
    if not before:
        return np.full(num_bins, np.nan), np.full(num_bins, np.nan)
    frame = before[-1].propagate_to(distance)
    unit = str(frame_period.unit)
    polygons = [
        np.stack(
            [s.time.to(unit=unit).values, s.wavelength.to(unit=WAVELENGTH).values],
            axis=1,
        )
        for s in frame.subframes
    ]
    return bands(polygons, frame_period.value, num_bins)


def cascade_bands(
    frames,
    frame_period: sc.Variable,
    ltotal_m: tuple[float, float],
    params: WavelengthLutParams,
) -> sc.DataArray:
    """The bands at the requested distances (the default: see
    :func:`default_band_distances_m`), as one DataArray (distance, time)."""
    config = params.cascade_bands
    distances = band_distances_m(params) or default_band_distances_m(frames, ltotal_m)
    rows = [_band_at(frames, d, frame_period, config.num_bins) for d in distances]
    low = np.stack([r[0] for r in rows])
    high = np.stack([r[1] for r in rows])
    dims = ["distance", "event_time_offset"]
    edges = sc.linspace(
        "event_time_offset",
        0.0,
        frame_period.value,
        config.num_bins + 1,
        unit=frame_period.unit,
    )
    return sc.DataArray(
        sc.array(dims=dims, values=0.5 * (low + high), unit=WAVELENGTH),
        coords={
            "distance": sc.array(
                dims=["distance"], values=np.asarray(distances), unit="m"
            ).to(unit=config.unit),
            "event_time_offset": edges,
            "wavelength_min": sc.array(dims=dims, values=low, unit=WAVELENGTH),
            "wavelength_max": sc.array(dims=dims, values=high, unit=WAVELENGTH),
        },
    )


class WavelengthLutWorkflow:
    """Computes both outputs once, on the first ``finalize`` after start or
    ``clear`` (a reset); it takes no data, so ``accumulate`` keeps nothing."""

    def __init__(self, beamline: Beamline, params: WavelengthLutParams) -> None:
        _check(params)
        self._beamline = beamline
        self._params = params
        self._outputs: dict[str, sc.DataArray] | None = None

    def accumulate(self, data: Mapping[str, Any], *, start_time, end_time) -> None:
        return None

    def finalize(self) -> dict[str, sc.DataArray]:
        if self._outputs is None:
            self._outputs = compute(self._beamline, self._params)
        return dict(self._outputs)

    def clear(self) -> None:
        self._outputs = None


def wavelength_lut_factory(
    beamline: Beamline,
) -> Callable[[WorkflowContext], WavelengthLutWorkflow]:
    """The factory of an instrument's ``wavelength_lut`` jobs."""

    def make(context: WorkflowContext) -> WavelengthLutWorkflow:
        params = context.params
        if not isinstance(params, WavelengthLutParams):
            params = WavelengthLutParams()
        return WavelengthLutWorkflow(beamline, params)

    return make
