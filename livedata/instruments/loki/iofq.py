"""loki/i_of_q: esssans's LOKI I(Q) reduction on live events (F5).

The base pipeline is ``ess.loki.LokiWorkflow``. Nodes a facility fills from
files are set from generated values instead (all listed in the spec's
description):

- the bank's ``EmptyDetector`` (detector numbers, pixel positions) and the
  monitors' positions from ``layout.py``; source and sample positions;
- the pixels' solid angle, of the layout's flat pixels (esssans would compute
  it from the NeXus pixel shape, assuming cylindrical tubes);
- the wavelength lookup table: lambda = (h / m_n) t / L_total with t0 at the
  pulse start (no choppers at this LOKI);
- a flat direct-beam function, empty-beam monitors in the ratio one, a
  beam-stop pixel mask and a zero beam-centre offset.

The sample's transmission uses the sample run's own monitors (as the
transmission run). Live inputs are dynamic keys: the bank's events and the two
monitors' events, all in the NXevent_data layout (``ToNXeventData``).

esssans computes one I(Q); the "latest window" I(Q) reuses esssans's
denominator providers with the window's incident monitor (``window_i_of_q``).
``ess.loki`` imports ipywidgets (for its notebook widgets), so that package is a
dependency here.
"""

from __future__ import annotations

from functools import cache
from typing import NewType

import numpy as np
import sciline
import scipp as sc
import scippnexus as snx
from ess import loki
from ess.reduce.nexus.types import NeXusData
from ess.reduce.streaming import EternalAccumulator
from ess.reduce.unwrap import LookupTable
from ess.sans import conversions, normalization
from ess.sans.types import (
    BeamCenter,
    BinnedQ,
    CorrectedMonitor,
    Denominator,
    DetectorBankSizes,
    DetectorMasks,
    DirectBeam,
    EmptyBeamRun,
    EmptyDetector,
    EmptyMonitor,
    Incident,
    IntensityQ,
    LookupTableRelativeErrorThreshold,
    NeXusDetectorName,
    NeXusMonitorName,
    Numerator,
    Position,
    ProcessedWavelengthBands,
    QBins,
    ReducedQ,
    ReturnEvents,
    SampleRun,
    SolidAngle,
    Transmission,
    TransmissionFraction,
    TransmissionRun,
    UncertaintyBroadcastMode,
    WavelengthBins,
    WavelengthMask,
)

from livedata.preprocessors.essreduce_accumulators import NoCopyWindowAccumulator
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow

from . import banks
from .iofq_spec import INCIDENT_ROLE, TRANSMISSION_ROLE, IofQParams
from .layout import layout, pixel_area_m2, solid_angle

PULSE_PERIOD_US = 1e6 / 14.0
# Flight paths the lookup table covers: incident monitor (21 m) to the farthest
# pixels of the rear bank (23.6 m + ~5.1 m), with margin.
LTOTAL_RANGE_M = (20.0, 30.0)

# Window ("latest") counterparts of the accumulated esssans nodes.
NumeratorWindow = NewType("NumeratorWindow", sc.DataArray)
IncidentMonitorWindow = NewType("IncidentMonitorWindow", sc.DataArray)
IofQWindow = NewType("IofQWindow", sc.DataArray)
# Outputs as published: only coords along the data's dims (esssans adds the
# wavelength band, which a da00 message cannot carry next to Q), float64.
IofQOutput = NewType("IofQOutput", sc.DataArray)
IofQWindowOutput = NewType("IofQWindowOutput", sc.DataArray)
TransmissionOutput = NewType("TransmissionOutput", sc.DataArray)


@cache
def lookup_table() -> LookupTable:
    """Wavelength vs (distance, event_time_offset) for t0 at the pulse start.

    Linear in time, so exact in time; rows 10 cm apart, where interpolating 1/L
    linearly errs by less than 1e-5 relative. Kept small: essreduce copies it
    per component when a job starts.
    """
    distance = sc.linspace("distance", *LTOTAL_RANGE_M, 101, unit="m")
    time = sc.linspace("event_time_offset", 0.0, PULSE_PERIOD_US, 201, unit="us")
    h_over_mn = sc.constants.h / sc.constants.m_n
    wavelength = (h_over_mn * time.to(unit="s") / distance).to(unit="angstrom")
    wavelength.variances = np.zeros(wavelength.shape)
    table = sc.DataArray(
        wavelength.transpose(["distance", "event_time_offset"]).copy(),
        coords={"distance": distance, "event_time_offset": time},
    )
    return LookupTable(
        array=table,
        pulse_period=sc.scalar(PULSE_PERIOD_US, unit="us"),
        pulse_stride=1,
        distance_resolution=distance[1] - distance[0],
        time_resolution=time[1] - time[0],
    )


@cache
def empty_detector(bank_name: str) -> sc.DataArray:
    """What the bank's NXdetector would give: detector numbers and positions."""
    bank = layout().bank(bank_name)
    dims = list(bank.dims)
    return sc.DataArray(
        sc.zeros(dims=dims, shape=bank.shape, unit="counts", dtype="float32"),
        coords={
            "detector_number": sc.array(
                dims=dims, values=bank.detector_number, unit=None
            ),
            "position": sc.vectors(dims=dims, values=bank.positions, unit="m"),
        },
    )


@cache
def flat_pixel_solid_angle(bank_name: str) -> sc.DataArray:
    """Solid angle of the layout's flat pixels facing the sample (A cos / r^2).

    Set instead of esssans's cylinder approximation for tubes: the synthetic
    banks are flat panels (``layout.py``), and on the side panels the two differ
    by up to ~7 %.
    """
    config = next(b for b in banks.BANKS if b.name == bank_name)
    bank = layout().bank(bank_name)
    omega = solid_angle(bank.positions, pixel_area_m2(config))
    detector = empty_detector(bank_name)
    return detector.assign(
        sc.array(dims=list(bank.dims), values=omega, unit="dimensionless")
    )


def beam_stop_mask(bank_name: str, radius_m: float) -> sc.Variable:
    bank = layout().bank(bank_name)
    radial = np.hypot(bank.positions[..., 0], bank.positions[..., 1])
    return sc.array(dims=list(bank.dims), values=radial < radius_m)


def _monitor(name: str) -> sc.DataArray:
    position = next(m.position for m in layout().monitors if m.name == name)
    return sc.DataArray(
        sc.scalar(0.0, unit="counts"),
        coords={"position": sc.vector(list(position), unit="m")},
    )


def _flat(wavelength: sc.Variable, unit: str) -> sc.DataArray:
    sizes = {"wavelength": wavelength.sizes["wavelength"] - 1}
    return sc.DataArray(
        sc.ones(sizes=sizes, unit=unit, dtype="float64"),
        coords={"wavelength": wavelength},
    )


# The sample run's monitors serve as its transmission run.
def transmission_run_incident(
    monitor: CorrectedMonitor[SampleRun, Incident],
) -> CorrectedMonitor[TransmissionRun[SampleRun], Incident]:
    return CorrectedMonitor[TransmissionRun[SampleRun], Incident](monitor)


def transmission_run_transmitted(
    monitor: CorrectedMonitor[SampleRun, Transmission],
) -> CorrectedMonitor[TransmissionRun[SampleRun], Transmission]:
    return CorrectedMonitor[TransmissionRun[SampleRun], Transmission](monitor)


def numerator_window(numerator: ReducedQ[SampleRun, Numerator]) -> NumeratorWindow:
    """Per chunk the same as the numerator; accumulated with window semantics."""
    return NumeratorWindow(numerator)


def incident_monitor_window(
    monitor: CorrectedMonitor[SampleRun, Incident],
) -> IncidentMonitorWindow:
    return IncidentMonitorWindow(monitor)


def window_i_of_q(
    numerator: NumeratorWindow,
    incident: IncidentMonitorWindow,
    transmission: TransmissionFraction[SampleRun],
    detector_term: BinnedQ[SampleRun, Denominator],
    mask: WavelengthMask,
    bands: ProcessedWavelengthBands,
    return_events: ReturnEvents,
    uncertainties: UncertaintyBroadcastMode,
) -> IofQWindow:
    """esssans's denominator steps with the window's incident monitor."""
    monitor_term = normalization.norm_monitor_term(incident, transmission)
    scaled = conversions.mask_and_scale_wavelength_q(
        detector_term, mask, monitor_term, uncertainties
    )
    denominator = normalization.reduce_q(scaled, bands)
    # normalize_q divides its numerator in place: hand it a copy, not the
    # accumulator's value.
    return IofQWindow(
        normalization.normalize_q(
            numerator.copy(), denominator, return_events, uncertainties
        )
    )


def _publishable(da: sc.DataArray) -> sc.DataArray:
    coords = {
        name: coord
        for name, coord in da.coords.items()
        if set(coord.dims) <= set(da.dims) and coord.ndim > 0
    }
    return sc.DataArray(da.data.to(dtype="float64"), coords=coords, masks=da.masks)


def i_of_q_output(da: IntensityQ[SampleRun]) -> IofQOutput:
    return IofQOutput(_publishable(da))


def i_of_q_window_output(da: IofQWindow) -> IofQWindowOutput:
    return IofQWindowOutput(_publishable(da))


def transmission_output(da: TransmissionFraction[SampleRun]) -> TransmissionOutput:
    return TransmissionOutput(_publishable(da))


@cache
def _base_pipeline() -> sciline.Pipeline:
    """LokiWorkflow with everything a file would give, minus bank and binning."""
    wf = loki.LokiWorkflow(wavelength_from="file")
    for provider in (
        transmission_run_incident,
        transmission_run_transmitted,
        numerator_window,
        incident_monitor_window,
        window_i_of_q,
        i_of_q_output,
        i_of_q_window_output,
        transmission_output,
    ):
        wf.insert(provider)
    table = lookup_table()
    wf[LookupTable[SampleRun, snx.NXdetector]] = table
    wf[LookupTable[SampleRun, Incident]] = table
    wf[LookupTable[SampleRun, Transmission]] = table
    wf[LookupTableRelativeErrorThreshold] = {
        name: float("inf") for name in (*banks.BANK_NAMES, *banks.MONITORS)
    }
    source_z = -banks.SOURCE_TO_SAMPLE_M
    wf[Position[snx.NXsource, SampleRun]] = sc.vector([0.0, 0.0, source_z], unit="m")
    wf[Position[snx.NXsample, SampleRun]] = sc.vector([0.0, 0.0, 0.0], unit="m")
    wf[NeXusMonitorName[Incident]] = banks.MONITOR_INCIDENT
    wf[NeXusMonitorName[Transmission]] = banks.MONITOR_TRANSMISSION
    wf[EmptyMonitor[SampleRun, Incident]] = _monitor(banks.MONITOR_INCIDENT)
    wf[EmptyMonitor[SampleRun, Transmission]] = _monitor(banks.MONITOR_TRANSMISSION)
    wf[DetectorBankSizes] = {}
    wf[BeamCenter] = sc.vector([0.0, 0.0, 0.0], unit="m")
    wf[ReturnEvents] = False
    wf[UncertaintyBroadcastMode] = UncertaintyBroadcastMode.drop
    return wf


def iofq_pipeline(bank_name: str, params: IofQParams) -> sciline.Pipeline:
    """The configured pipeline of one job (a copy; the cached base is untouched)."""
    wf = _base_pipeline().copy()
    w = params.wavelength
    wavelength = sc.linspace(
        "wavelength", w.start, w.stop, w.num_bins + 1, unit="angstrom"
    )
    q = params.q_bins
    make_q = sc.geomspace if q.log else sc.linspace
    wf[WavelengthBins] = wavelength
    wf[QBins] = make_q("Q", q.start, q.stop, q.num_bins + 1, unit="1/angstrom")
    wf[NeXusDetectorName] = bank_name
    wf[EmptyDetector[SampleRun]] = empty_detector(bank_name)
    wf[SolidAngle[SampleRun]] = flat_pixel_solid_angle(bank_name)
    wf[DetectorMasks] = {
        "beam_stop": beam_stop_mask(bank_name, params.beam_stop_radius_m)
    }
    wf[DirectBeam] = _flat(wavelength, "dimensionless")
    wf[CorrectedMonitor[EmptyBeamRun, Incident]] = _flat(wavelength, "counts")
    wf[CorrectedMonitor[EmptyBeamRun, Transmission]] = _flat(wavelength, "counts")
    if not params.correct_transmission:
        wf[TransmissionFraction[SampleRun]] = _flat(wavelength, "dimensionless")
    return wf


TARGETS = {
    "i_of_q": IofQOutput,
    "i_of_q_current": IofQWindowOutput,
    "transmission": TransmissionOutput,
}


def make_iofq_workflow(source_name: str, params: IofQParams) -> StreamProcessorWorkflow:
    """One bank's I(Q) job; monitors enter under their aux roles (F5)."""
    dynamic = {
        source_name: NeXusData[snx.NXdetector, SampleRun],
        INCIDENT_ROLE: NeXusData[Incident, SampleRun],
    }
    # Cumulative values are copied on read (EternalAccumulator): esssans's
    # normalize_q divides the numerator in place. They are 1-D (Q or wavelength),
    # so the copy is cheap.
    accumulators: dict[type, object] = {
        ReducedQ[SampleRun, Numerator]: EternalAccumulator,
        NumeratorWindow: NoCopyWindowAccumulator,
        CorrectedMonitor[SampleRun, Incident]: EternalAccumulator,
        IncidentMonitorWindow: NoCopyWindowAccumulator,
    }
    if params.correct_transmission:
        dynamic[TRANSMISSION_ROLE] = NeXusData[Transmission, SampleRun]
        accumulators[CorrectedMonitor[SampleRun, Transmission]] = EternalAccumulator
    return StreamProcessorWorkflow(
        iofq_pipeline(source_name, params),
        dynamic_keys=dynamic,
        target_keys=TARGETS,
        accumulators=accumulators,
    )
