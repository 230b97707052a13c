"""loki/i_of_q: monitor-normalised SANS I(Q) of one bank as a sciline pipeline (F5).

Why not esssans: ``ess.loki`` needs ipywidgets at import and its workflows expect
NeXus files for every run (sample, empty beam, transmission, direct beam). Here
the same physics is a small sciline graph run by essreduce's StreamProcessor:

- events -> wavelength -> Q with scippneutron's elastic conversion graph
  (t0 at the pulse start, no chopper frame correction);
- the denominator is, per pixel and wavelength bin, incident-monitor counts x
  pixel solid angle x transmission x direct-beam efficiency, mapped to Q;
- I(Q) = counts(Q) / denominator(Q), both accumulated from live events.

Inputs a facility would read from files are generated here: a flat direct-beam
efficiency, an empty-beam monitor ratio of one and a beam-stop mask.
"""

from __future__ import annotations

from typing import NewType

import numpy as np
import sciline
import scipp as sc
from scippneutron.conversion.graph import tof as tof_graph
from scippneutron.conversion.tof import elastic_Q_from_wavelength

from livedata.config.instrument import DetectorConfig
from livedata.preprocessors.essreduce_accumulators import (
    NoCopyAccumulator,
    NoCopyWindowAccumulator,
)
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow

from . import banks
from .iofq_spec import INCIDENT_ROLE, TRANSMISSION_ROLE, IofQParams
from .layout import bank_positions, pixel_area_m2, solid_angle, two_theta

# Dynamic inputs, in the NXevent_data layout (ToNXeventData).
BankEvents = NewType("BankEvents", sc.DataArray)
IncidentMonitorEvents = NewType("IncidentMonitorEvents", sc.DataArray)
TransmissionMonitorEvents = NewType("TransmissionMonitorEvents", sc.DataArray)
# Static inputs.
PixelTable = NewType("PixelTable", sc.DataArray)  # dim pixel: geometry and mask
QEdges = NewType("QEdges", sc.Variable)
WavelengthEdges = NewType("WavelengthEdges", sc.Variable)
DirectBeam = NewType("DirectBeam", sc.DataArray)  # efficiency vs wavelength
EmptyBeamRatio = NewType("EmptyBeamRatio", sc.DataArray)  # M_trans/M_inc, no sample
UseTransmission = NewType("UseTransmission", bool)
# Intermediate and accumulated.
EventsInQ = NewType("EventsInQ", sc.DataArray)
SampleCounts = NewType("SampleCounts", sc.DataArray)
SampleCountsWindow = NewType("SampleCountsWindow", sc.DataArray)
IncidentSpectrum = NewType("IncidentSpectrum", sc.DataArray)
IncidentSpectrumWindow = NewType("IncidentSpectrumWindow", sc.DataArray)
TransmittedSpectrum = NewType("TransmittedSpectrum", sc.DataArray)
Transmission = NewType("Transmission", sc.DataArray)
# Targets.
IofQ = NewType("IofQ", sc.DataArray)
IofQWindow = NewType("IofQWindow", sc.DataArray)

_ELASTIC = tof_graph.elastic("tof")


def pixel_table(config: DetectorConfig, beam_stop_radius_m: float) -> PixelTable:
    """Per-pixel flight path, scattering angle, solid angle and beam-stop mask."""
    positions = bank_positions(config).reshape(-1, 3)
    l2 = np.linalg.norm(positions, axis=1)
    radial = np.hypot(positions[:, 0], positions[:, 1])
    return PixelTable(
        sc.DataArray(
            sc.array(
                dims=["pixel"],
                values=solid_angle(positions, pixel_area_m2(config)),
                unit="sr",
            ),
            coords={
                "detector_number": sc.array(
                    dims=["pixel"],
                    values=config.detector_numbers().ravel(),
                    unit=None,
                ),
                "Ltotal": sc.array(
                    dims=["pixel"], values=banks.SOURCE_TO_SAMPLE_M + l2, unit="m"
                ),
                "two_theta": sc.array(
                    dims=["pixel"], values=two_theta(positions), unit="rad"
                ),
            },
            masks={
                "beam_stop": sc.array(
                    dims=["pixel"], values=radial < beam_stop_radius_m
                )
            },
        )
    )


def _flat_events(events: sc.DataArray) -> sc.DataArray:
    content = events.bins.constituents["data"] if events.bins is not None else events
    return content


def events_in_q(
    events: BankEvents, pixels: PixelTable, wavelength: WavelengthEdges
) -> EventsInQ:
    """Unmasked events in the wavelength band with their ``wavelength`` and ``Q``."""
    flat = _flat_events(events)
    first = int(pixels.coords["detector_number"].values[0])
    index = flat.coords["event_id"].values.astype(np.int64) - first
    n_pixels = pixels.sizes["pixel"]
    ok = (index >= 0) & (index < n_pixels)
    ok[ok] &= ~pixels.masks["beam_stop"].values[index[ok]]
    index = index[ok]
    selected = sc.DataArray(
        sc.array(dims=["event"], values=flat.values[ok], unit=flat.unit),
        coords={
            "tof": sc.array(
                dims=["event"],
                values=flat.coords["event_time_offset"].values[ok].astype(np.float64),
                unit=flat.coords["event_time_offset"].unit,
            ),
            "Ltotal": sc.array(
                dims=["event"], values=pixels.coords["Ltotal"].values[index], unit="m"
            ),
            "two_theta": sc.array(
                dims=["event"],
                values=pixels.coords["two_theta"].values[index],
                unit="rad",
            ),
        },
    )
    converted = selected.transform_coords(["wavelength", "Q"], graph=_ELASTIC)
    wl = converted.coords["wavelength"]
    band = (wl >= wavelength[0]) & (wl < wavelength[-1])
    return EventsInQ(converted[band])


def _hist_q(events: sc.DataArray, q: sc.Variable) -> sc.DataArray:
    return events.hist(Q=q).to(dtype="float64")


def sample_counts(events: EventsInQ, q: QEdges) -> SampleCounts:
    return SampleCounts(_hist_q(events, q))


def sample_counts_window(events: EventsInQ, q: QEdges) -> SampleCountsWindow:
    return SampleCountsWindow(_hist_q(events, q))


def monitor_spectrum(
    events: sc.DataArray, distance_m: float, wavelength: sc.Variable
) -> sc.DataArray:
    """Monitor events histogrammed in wavelength (flight path source -> monitor)."""
    flat = _flat_events(events)
    da = sc.DataArray(
        flat.data.to(dtype="float64"),
        coords={
            "tof": flat.coords["event_time_offset"].to(dtype="float64"),
            "Ltotal": sc.scalar(distance_m, unit="m"),
        },
    )
    return da.transform_coords("wavelength", graph=_ELASTIC).hist(wavelength=wavelength)


def incident_spectrum(
    events: IncidentMonitorEvents, wavelength: WavelengthEdges
) -> IncidentSpectrum:
    distance = banks.MONITORS[banks.MONITOR_INCIDENT]
    return IncidentSpectrum(monitor_spectrum(events, distance, wavelength))


def incident_spectrum_window(
    events: IncidentMonitorEvents, wavelength: WavelengthEdges
) -> IncidentSpectrumWindow:
    distance = banks.MONITORS[banks.MONITOR_INCIDENT]
    return IncidentSpectrumWindow(monitor_spectrum(events, distance, wavelength))


def transmitted_spectrum(
    events: TransmissionMonitorEvents, wavelength: WavelengthEdges
) -> TransmittedSpectrum:
    distance = banks.MONITORS[banks.MONITOR_TRANSMISSION]
    return TransmittedSpectrum(monitor_spectrum(events, distance, wavelength))


def transmission_fraction(
    incident: IncidentSpectrum,
    transmitted: TransmittedSpectrum,
    empty_beam: EmptyBeamRatio,
) -> Transmission:
    """T(lambda) = (M_trans / M_inc)_sample / (M_trans / M_inc)_empty beam."""
    ratio = sc.values(transmitted) / sc.values(incident) / empty_beam
    return Transmission(ratio.to(unit="dimensionless"))


def no_transmission(wavelength: WavelengthEdges) -> Transmission:
    """Transmission correction switched off: T = 1."""
    sizes = {"wavelength": wavelength.sizes["wavelength"] - 1}
    return Transmission(
        sc.DataArray(sc.ones(sizes=sizes), coords={"wavelength": wavelength})
    )


def flat_direct_beam(wavelength: WavelengthEdges) -> DirectBeam:
    """Generated direct-beam efficiency (no file offline): 1 at every wavelength."""
    sizes = {"wavelength": wavelength.sizes["wavelength"] - 1}
    return DirectBeam(
        sc.DataArray(sc.ones(sizes=sizes), coords={"wavelength": wavelength})
    )


def unit_empty_beam_ratio(wavelength: WavelengthEdges) -> EmptyBeamRatio:
    """Generated empty-beam monitor ratio: both monitors equally efficient."""
    sizes = {"wavelength": wavelength.sizes["wavelength"] - 1}
    return EmptyBeamRatio(
        sc.DataArray(sc.ones(sizes=sizes), coords={"wavelength": wavelength})
    )


def norm_in_q(
    incident: sc.DataArray,
    transmission: sc.DataArray,
    direct_beam: sc.DataArray,
    pixels: sc.DataArray,
    q: sc.Variable,
) -> sc.DataArray:
    """Sum over unmasked pixels and wavelength bins of flux x Omega x T x eff in Q."""
    flux = sc.values(incident) * transmission.data * direct_beam.data
    wl = sc.midpoints(incident.coords["wavelength"])
    keep = ~pixels.masks["beam_stop"]
    omega = pixels.data[keep]
    two_theta = pixels.coords["two_theta"][keep]
    q_values = elastic_Q_from_wavelength(wavelength=wl, two_theta=two_theta)
    weights = sc.nan_to_num(
        flux.data * omega, nan=sc.scalar(0.0, unit=flux.unit * omega.unit)
    )
    table = sc.DataArray(weights, coords={"Q": q_values.to(unit=q.unit)})
    return table.flatten(to="row").hist(Q=q)


def _i_of_q(counts: sc.DataArray, norm: sc.DataArray) -> sc.DataArray:
    denominator = norm.data.copy()
    empty = denominator.values <= 0
    denominator.values[empty] = np.nan
    out = counts / sc.values(denominator)
    # counts / (counts x sr): report per steradian as a plain number
    out.data = out.data * sc.scalar(1.0, unit="sr")
    return out


def i_of_q(
    counts: SampleCounts,
    incident: IncidentSpectrum,
    transmission: Transmission,
    direct_beam: DirectBeam,
    pixels: PixelTable,
    q: QEdges,
) -> IofQ:
    norm = norm_in_q(incident, transmission, direct_beam, pixels, q)
    return IofQ(_i_of_q(counts, norm))


def i_of_q_window(
    counts: SampleCountsWindow,
    incident: IncidentSpectrumWindow,
    transmission: Transmission,
    direct_beam: DirectBeam,
    pixels: PixelTable,
    q: QEdges,
) -> IofQWindow:
    norm = norm_in_q(incident, transmission, direct_beam, pixels, q)
    return IofQWindow(_i_of_q(counts, norm))


def q_edges(params: IofQParams) -> sc.Variable:
    b = params.q_bins
    make = sc.geomspace if b.log else sc.linspace
    return make("Q", b.start, b.stop, b.num_bins + 1, unit="1/angstrom")


def wavelength_edges(params: IofQParams) -> sc.Variable:
    b = params.wavelength
    return sc.linspace("wavelength", b.start, b.stop, b.num_bins + 1, unit="angstrom")


def iofq_pipeline(bank: DetectorConfig, params: IofQParams) -> sciline.Pipeline:
    providers = [
        events_in_q,
        sample_counts,
        sample_counts_window,
        incident_spectrum,
        incident_spectrum_window,
        flat_direct_beam,
        unit_empty_beam_ratio,
        i_of_q,
        i_of_q_window,
    ]
    if params.correct_transmission:
        providers += [transmitted_spectrum, transmission_fraction]
    else:
        providers.append(no_transmission)
    pipeline = sciline.Pipeline(providers)
    pipeline[PixelTable] = pixel_table(bank, params.beam_stop_radius_m)
    pipeline[QEdges] = q_edges(params)
    pipeline[WavelengthEdges] = wavelength_edges(params)
    return pipeline


def make_iofq_workflow(source_name: str, params: IofQParams) -> StreamProcessorWorkflow:
    """One bank's I(Q) job; monitors enter under their aux roles (F5)."""
    bank = next(b for b in banks.BANKS if b.name == source_name)
    dynamic = {source_name: BankEvents, INCIDENT_ROLE: IncidentMonitorEvents}
    accumulators: dict[type, object] = {
        SampleCounts: NoCopyAccumulator,
        SampleCountsWindow: NoCopyWindowAccumulator,
        IncidentSpectrum: NoCopyAccumulator,
        IncidentSpectrumWindow: NoCopyWindowAccumulator,
    }
    targets = {"i_of_q": IofQ, "i_of_q_current": IofQWindow}
    if params.correct_transmission:
        dynamic[TRANSMISSION_ROLE] = TransmissionMonitorEvents
        accumulators[TransmittedSpectrum] = NoCopyAccumulator
    targets["transmission"] = Transmission
    return StreamProcessorWorkflow(
        iofq_pipeline(bank, params),
        dynamic_keys=dynamic,
        target_keys=targets,
        accumulators=accumulators,
    )
