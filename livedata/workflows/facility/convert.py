"""The facility's params as livedata's own workflows take them (light).

What livedata cannot do yet with a facility param (log-scaled bins, pixel
weighting, a wavelength filter) raises :class:`UnsupportedParams`: the config
is refused with ERR naming it, never run with a silently different meaning.
"""

from __future__ import annotations

from ..detector_view_spec import DetectorViewParams as OwnViewParams
from ..detector_view_spec import TOARange as OwnTOARange
from ..edges import TIME_UNITS, CoordinateMode
from ..edges import TOAEdges as OwnTOAEdges
from ..edges import WavelengthEdges as OwnWavelengthEdges
from ..monitor_histogram_spec import MonitorHistogramParams
from . import params as fp

_MODES = {
    "toa": CoordinateMode.TIME_OF_ARRIVAL,
    "wavelength": CoordinateMode.WAVELENGTH,
}


class UnsupportedParams(ValueError):
    """A valid facility param that livedata does not implement."""


def time_unit(unit: str) -> str:
    """The facility's ``μs`` (U+03BC) as livedata and scipp spell it."""
    return "us" if unit == fp.MICRO_SECONDS else unit


def scipp_unit(unit: str) -> str:
    """A facility unit as scipp spells it (``Å`` -> ``angstrom``, ``μs`` -> ``us``)."""
    return time_unit(unit).replace(fp.ANGSTROM, "angstrom")


def toa_range_ns(toa_range: fp.TOARange) -> tuple[float, float] | None:
    """The enabled time-of-arrival range in ns, else ``None``."""
    if not toa_range.enabled:
        return None
    if toa_range.stop <= toa_range.start:
        raise ValueError("toa_range: stop must be greater than start")
    factor = 10.0 ** (TIME_UNITS[time_unit(toa_range.unit)] + 9)
    return toa_range.start * factor, toa_range.stop * factor


def _toa_edges(edges: fp.TOAEdges) -> OwnTOAEdges:
    _linear(edges.scale, "toa_edges")
    return OwnTOAEdges(
        start=edges.start,
        stop=edges.stop,
        num_bins=edges.num_bins,
        unit=time_unit(edges.unit),
    )


def _wavelength_edges(edges: fp.WavelengthEdges) -> OwnWavelengthEdges:
    _linear(edges.scale, "wavelength_edges")
    return OwnWavelengthEdges(
        start=edges.start, stop=edges.stop, num_bins=edges.num_bins, unit=edges.unit
    )


def _linear(scale: fp.Scale, name: str) -> None:
    if scale is not fp.Scale.LINEAR:
        raise UnsupportedParams(f"{name}.scale: only 'linear' is supported here")


def _no_wavelength_filter(params: object) -> None:
    band = getattr(params, "wavelength_range", None)
    if band is not None and band.enabled:
        raise UnsupportedParams("wavelength_range: filtering is not supported here")


def to_monitor_params(params: fp.MonitorParams) -> MonitorHistogramParams:
    """livedata's monitor histogram params for a facility monitor config."""
    _no_wavelength_filter(params)
    toa_range_ns(params.toa_range)  # checks the range
    mode = _MODES[params.coordinate_mode.mode]
    own = {"coordinate_mode": mode}
    if mode is CoordinateMode.TIME_OF_ARRIVAL:
        own["toa_edges"] = _toa_edges(params.toa_edges)
    else:
        edges = getattr(params, "wavelength_edges", fp.WavelengthEdges())
        own["wavelength_edges"] = _wavelength_edges(edges)
    return MonitorHistogramParams(**own)


def to_view_params(params: fp.DetectorViewParams) -> OwnViewParams:
    """livedata's detector view params for a facility detector view config.

    The facility's time-of-arrival range selects the events of the image, as
    livedata's ``toa_range`` does (given in ms there).
    """
    _no_wavelength_filter(params)
    if params.pixel_weighting.enabled:
        raise UnsupportedParams("pixel_weighting: weighting is not supported here")
    mode = _MODES[params.coordinate_mode.mode]
    own: dict[str, object] = {"coordinate_mode": mode}
    if mode is CoordinateMode.TIME_OF_ARRIVAL:
        own["toa_edges"] = _toa_edges(params.toa_edges)
    else:
        own["wavelength_edges"] = _wavelength_edges(params.wavelength_edges)
    band = toa_range_ns(params.toa_range)
    if band is not None:
        own["toa_range"] = OwnTOARange(
            enabled=True, low=band[0] / 1e6, high=band[1] / 1e6
        )
    return OwnViewParams(**own)


def to_qe_params(params: fp.BifrostQMapParams) -> dict[str, dict[str, float]]:
    """BIFROST's Q-E map params as livedata's ``qe_map`` takes them (1/Å, meV)."""
    q, energy = params.q_edges, params.energy_edges
    _linear(q.scale, "q_edges")
    _linear(energy.scale, "energy_edges")
    q_factor = 0.1 if q.unit == "1/nm" else 1.0  # 1/nm = 0.1/Å
    e_factor = 1e-3 if energy.unit == "\u03bceV" else 1.0
    return {
        "q_edges": {
            "start": q.start * q_factor,
            "stop": q.stop * q_factor,
            "num_bins": q.num_bins,
        },
        "energy_transfer_edges": {
            "start": energy.start * e_factor,
            "stop": energy.stop * e_factor,
            "num_bins": energy.num_bins,
        },
    }
