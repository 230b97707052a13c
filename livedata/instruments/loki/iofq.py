"""loki/i_of_q: esssans's LOKI I(Q) reduction on live events (F5).

The base pipeline is ``ess.loki.LokiWorkflow``. It reads the bank, monitors,
source and sample from the registered geometry file valid today with essreduce's
NeXus loaders (``Filename``), folding the flat bank with esssans's
``DetectorBankSizes``. Nodes a facility fills from other files are generated
instead (all listed in the spec's description):

- the pixels' solid angle, of flat straw-wide pixels facing the sample (esssans
  would compute it from the NeXus pixel shape, which the file does not hold);
- the wavelength lookup table: essreduce's analytical one with no choppers
  (``conversions.py``);
- a flat direct-beam function, empty-beam monitors in the ratio one, a
  beam-stop pixel mask and a zero beam-centre offset.

The denominator's esssans steps run per chunk of pixels (``denominator.py``).

The rear bank follows the detector carriage log (context, ``carriage.py``).
The sample's transmission uses the sample run's own monitors (as the
transmission run). Live inputs are dynamic keys: the bank's events and the two
monitors' events, all in the NXevent_data layout (``ToNXeventData``).

esssans computes one I(Q); the "latest window" I(Q) reuses esssans's
denominator providers with the window's incident monitor (``window_i_of_q``).
``ess.loki`` imports ipywidgets (for its notebook widgets), so that package is a
dependency here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import NewType

import sciline
import scipp as sc
import scippnexus as snx
from ess import loki
from ess.reduce.nexus.types import DetectorPositionOffset, Filename, NeXusData
from ess.reduce.streaming import EternalAccumulator
from ess.reduce.unwrap import LookupTable
from ess.sans import conversions, normalization
from ess.sans.types import (
    BeamCenter,
    BinnedQ,
    CorrectedMonitor,
    Denominator,
    DetectorMasks,
    DirectBeam,
    EmptyBeamRun,
    EmptyDetector,
    Incident,
    IntensityQ,
    LookupTableRelativeErrorThreshold,
    NeXusDetectorName,
    NeXusMonitorName,
    Numerator,
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

from livedata.instruments.instrument_geometry import (
    InstrumentGeometry,
    instrument_geometry,
)
from livedata.preprocessors.essreduce_accumulators import NoCopyWindowAccumulator
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow

from . import banks
from .carriage import (
    CARRIAGE_ROLE,
    HIDDEN_PREFIX,
    CarriageContext,
    DetectorCarriage,
    carriage_offset,
)
from .conversions import LOOKUP
from .denominator import chunked_binned_denominator
from .iofq_kernel import iofq_kernel, numerator_binned_q
from .iofq_spec import INCIDENT_ROLE, TRANSMISSION_ROLE, IofQParams
from .layout import pixel_area_m2

# Window ("latest") counterparts of the accumulated esssans nodes.
NumeratorWindow = NewType("NumeratorWindow", sc.DataArray)
IncidentMonitorWindow = NewType("IncidentMonitorWindow", sc.DataArray)
IofQWindow = NewType("IofQWindow", sc.DataArray)
# Outputs as published: only coords along the data's dims (esssans adds the
# wavelength band, which a da00 message cannot carry next to Q), float64.
IofQOutput = NewType("IofQOutput", sc.DataArray)
IofQWindowOutput = NewType("IofQWindowOutput", sc.DataArray)
CountsQOutput = NewType("CountsQOutput", sc.DataArray)
TransmissionOutput = NewType("TransmissionOutput", sc.DataArray)
# Generated inputs: the pixel area of the flat-pixel solid angle (m^2) and the
# radius of the beam stop (m).
PixelArea = NewType("PixelArea", float)
BeamStopRadius = NewType("BeamStopRadius", float)


def flat_pixel_solid_angle(
    detector: EmptyDetector[SampleRun], area: PixelArea
) -> SolidAngle[SampleRun]:
    """Solid angle of flat pixels facing the sample along z: A cos(a) / r^2.

    Set instead of esssans's solid angle of cylindrical pixels, which needs the
    pixel shape a NeXus file of a real run holds and the geometry file does not.
    Computed from the positions, so it follows the carriage.
    """
    position = detector.coords["position"]
    r = sc.norm(position)
    omega = sc.scalar(area, unit="m^2") * sc.abs(position.fields.z) / r**3
    return SolidAngle[SampleRun](
        detector.assign(omega.to(unit="dimensionless", dtype="float64"))
    )


def beam_stop_mask(
    detector: EmptyDetector[SampleRun], radius: BeamStopRadius
) -> DetectorMasks:
    """Pixels within ``radius`` of the beam axis (they see the beam stop)."""
    position = detector.coords["position"]
    radial = sc.sqrt(position.fields.x**2 + position.fields.y**2)
    return DetectorMasks({"beam_stop": radial < sc.scalar(radius, unit="m")})


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


def i_of_q(
    numerator: ReducedQ[SampleRun, Numerator],
    denominator: ReducedQ[SampleRun, Denominator],
    return_events: ReturnEvents,
    uncertainties: UncertaintyBroadcastMode,
) -> IntensityQ[SampleRun]:
    """esssans's I(Q), on a copy: its normalize_q divides the numerator in
    place, and counts_q reads the same numerator in the same finalize (which
    one ran first decided whether counts_q came out in counts)."""
    return normalization.normalize_q(
        numerator.copy(), denominator, return_events, uncertainties
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


def counts_q_output(numerator: ReducedQ[SampleRun, Numerator]) -> CountsQOutput:
    """The numerator since start: counts per Q bin, not normalised (published
    alone while no monitor has delivered: the monitors are optional)."""
    return CountsQOutput(_publishable(numerator))


@cache
def _base_pipeline(per_event_kernel: bool) -> sciline.Pipeline:
    """LokiWorkflow with what needs no file, bank or params.

    ``per_event_kernel=False`` keeps esssans's own per-event chain (the reference
    the tests compare the kernel with).
    """
    wf = loki.LokiWorkflow(wavelength_from="file")
    for provider in (
        transmission_run_incident,
        transmission_run_transmitted,
        numerator_window,
        incident_monitor_window,
        window_i_of_q,
        i_of_q,
        i_of_q_output,
        i_of_q_window_output,
        transmission_output,
        counts_q_output,
        flat_pixel_solid_angle,
        beam_stop_mask,
        chunked_binned_denominator,
    ):
        wf.insert(provider)
    if per_event_kernel:
        # The per-event steps run in livedata's kernel (iofq_kernel.py); esssans
        # builds its tables and does everything after the numerator histogram.
        wf.insert(iofq_kernel)
        wf.insert(numerator_binned_q)
    table = LOOKUP.table()
    wf[LookupTable[SampleRun, snx.NXdetector]] = table
    wf[LookupTable[SampleRun, Incident]] = table
    wf[LookupTable[SampleRun, Transmission]] = table
    wf[LookupTableRelativeErrorThreshold] = {
        name: float("inf") for name in (*banks.BANK_NAMES, *banks.MONITORS)
    }
    wf[NeXusMonitorName[Incident]] = banks.MONITOR_INCIDENT
    wf[NeXusMonitorName[Transmission]] = banks.MONITOR_TRANSMISSION
    wf[ReturnEvents] = False
    wf[UncertaintyBroadcastMode] = UncertaintyBroadcastMode.drop
    return wf


def geometry() -> InstrumentGeometry:
    """LOKI's geometry file valid today, read once per process and file."""
    return instrument_geometry("loki")


def on_carriage(bank_name: str) -> bool:
    return bank_name == banks.REAR.name


@dataclass(frozen=True, eq=False)
class IofQSettings:
    """What a job's params set in the pipeline: bin edges (any ascending ones),
    the beam-stop radius, whether to correct for transmission, the beam centre
    (esssans's ``BeamCenter``: a point on the beam, from the sample; zero: the
    nominal beam axis), whether the rear bank follows the carriage log, and a
    wavelength band (Å) outside which bins are masked (``None``: none masked)."""

    wavelength: sc.Variable
    q: sc.Variable
    beam_stop_radius_m: float
    correct_transmission: bool
    beam_center: sc.Variable = field(
        default_factory=lambda: sc.vector([0.0, 0.0, 0.0], unit="m")
    )
    follow_carriage: bool = True
    wavelength_band: tuple[float, float] | None = None

    @classmethod
    def from_params(cls, params: IofQParams) -> IofQSettings:
        w, q = params.wavelength, params.q_bins
        make_q = sc.geomspace if q.log else sc.linspace
        return cls(
            wavelength=sc.linspace(
                "wavelength", w.start, w.stop, w.num_bins + 1, unit="angstrom"
            ),
            q=make_q("Q", q.start, q.stop, q.num_bins + 1, unit="1/angstrom"),
            beam_stop_radius_m=params.beam_stop_radius_m,
            correct_transmission=params.correct_transmission,
        )


def _settings(params: IofQParams | IofQSettings) -> IofQSettings:
    return (
        params if isinstance(params, IofQSettings) else IofQSettings.from_params(params)
    )


def iofq_pipeline(
    bank_name: str,
    params: IofQParams | IofQSettings,
    *,
    per_event_kernel: bool = True,
) -> sciline.Pipeline:
    """The configured pipeline of one job (a copy; the cached base is untouched).

    The rear bank's position is a context input (the carriage) unless the
    settings say otherwise; the other banks stay where the geometry file puts
    them.
    """
    settings = _settings(params)
    wf = _base_pipeline(per_event_kernel).copy()
    wf[Filename[SampleRun]] = str(geometry().path)
    wavelength = settings.wavelength.to(unit="angstrom", dtype="float64")
    wf[WavelengthBins] = wavelength
    wf[QBins] = settings.q.to(unit="1/angstrom", dtype="float64")
    wf[NeXusDetectorName] = bank_name
    config = next(b for b in banks.BANKS if b.name == bank_name)
    wf[PixelArea] = PixelArea(pixel_area_m2(config))
    wf[BeamStopRadius] = BeamStopRadius(settings.beam_stop_radius_m)
    wf[BeamCenter] = settings.beam_center.to(unit="m")
    if on_carriage(bank_name) and settings.follow_carriage:
        wf.insert(carriage_offset)
    else:
        wf[DetectorPositionOffset[SampleRun]] = sc.vector([0.0, 0.0, 0.0], unit="m")
    wf[DirectBeam] = _flat(wavelength, "dimensionless")
    wf[CorrectedMonitor[EmptyBeamRun, Incident]] = _flat(wavelength, "counts")
    wf[CorrectedMonitor[EmptyBeamRun, Transmission]] = _flat(wavelength, "counts")
    if not settings.correct_transmission:
        wf[TransmissionFraction[SampleRun]] = _flat(wavelength, "dimensionless")
    if settings.wavelength_band is not None:
        wf[WavelengthMask] = outside_band(wavelength, settings.wavelength_band)
    return wf


def outside_band(wavelength: sc.Variable, band: tuple[float, float]) -> sc.DataArray:
    """esssans's ``WavelengthMask`` of the bins not wholly inside ``band`` (Å)."""
    low, high = band[0] * (1 - 1e-9), band[1] * (1 + 1e-9)
    first = min(float(wavelength.values[0]), low) - 1.0
    last = max(float(wavelength.values[-1]), high) + 1.0
    return sc.DataArray(
        sc.array(dims=["wavelength"], values=[True, False, True]),
        coords={
            "wavelength": sc.array(
                dims=["wavelength"], values=[first, low, high, last], unit="angstrom"
            )
        },
    )


TARGETS = {
    "i_of_q": IofQOutput,
    "i_of_q_current": IofQWindowOutput,
    "transmission": TransmissionOutput,
    "counts_q": CountsQOutput,
}
# What a job publishes while a monitor has delivered nothing yet.
PARTIAL_TARGETS = {"counts_q": CountsQOutput}


def make_iofq_workflow(
    source_name: str,
    params: IofQParams | IofQSettings,
    *,
    per_event_kernel: bool = True,
):
    """One bank's I(Q) job; monitors enter under their aux roles, the carriage
    (rear bank only, unless the settings keep it where the file puts it) as
    context (F5)."""
    settings = _settings(params)
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
    if settings.correct_transmission:
        dynamic[TRANSMISSION_ROLE] = NeXusData[Transmission, SampleRun]
        accumulators[CorrectedMonitor[SampleRun, Transmission]] = EternalAccumulator
    rear = on_carriage(source_name) and settings.follow_carriage
    targets: dict[str, type] = dict(TARGETS)
    if rear:  # computed once per carriage move, not at every finalize
        targets[f"{HIDDEN_PREFIX}denominator"] = BinnedQ[SampleRun, Denominator]
    workflow = StreamProcessorWorkflow(
        iofq_pipeline(source_name, settings, per_event_kernel=per_event_kernel),
        dynamic_keys=dynamic,
        context_keys={CARRIAGE_ROLE: DetectorCarriage} if rear else None,
        target_keys=targets,
        accumulators=accumulators,
        partial_targets=PARTIAL_TARGETS,
    )
    return CarriageContext(workflow) if rear else _IgnoreCarriage(workflow)


class _IgnoreCarriage:
    """Banks off the carriage get the (required) carriage log too: drop it."""

    def __init__(self, workflow: StreamProcessorWorkflow) -> None:
        self._workflow = workflow

    def accumulate(self, data, *, start_time, end_time) -> None:
        data = {k: v for k, v in data.items() if k != CARRIAGE_ROLE}
        if data:
            self._workflow.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, sc.DataArray]:
        return self._workflow.finalize()

    def clear(self) -> None:
        self._workflow.clear()
