"""dream/powder: essdiffraction's DREAM powder reduction on live events (F5).

The base pipeline is ``ess.dream.DreamPowderWorkflow`` in the analytical
lookup-table mode. The nodes a NeXus run file would fill come from the registered
geometry file valid today (``EmptyDetector`` with pixel positions, source and
sample positions, the cave monitor's position; ``instrument_geometry``) and the
lookup table is the disk-cached one from ``wavelength.py``. Live inputs enter as
dynamic keys: the bank's events in the NXevent_data layout (``ToNXeventData``)
and the cave monitor's events, histogrammed here in time of arrival as an
NXmonitor histogram would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import NewType

import numpy as np
import sciline
import scipp as sc
import scippnexus as snx
from ess import dream, powder
from ess.powder.types import (
    CalibrationData,
    CaveMonitor,
    CorrectedDspacing,
    DspacingBins,
    EmptyDetector,
    FocussedDataDspacing,
    FocussedDataDspacingTwoTheta,
    IntensityDspacing,
    IntensityDspacingTwoTheta,
    KeepEvents,
    LookupTable,
    Position,
    SampleRun,
    TwoThetaBins,
    UncertaintyBroadcastMode,
    VanadiumRun,
    WavelengthMask,
    WavelengthMonitor,
)
from ess.reduce.nexus.types import EmptyMonitor, NeXusData, NeXusName

from livedata.core.timestamp import NS_PER_S, PULSE_FREQUENCY_HZ
from livedata.instruments.instrument_geometry import InstrumentGeometry
from livedata.instruments.pixel_layout import BankLayout
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow

from . import banks
from .powder_kernel import WavelengthKeep, corrected_dspacing, powder_kernel
from .powder_spec import MONITOR_ROLE, PowderParams
from .views import geometry
from .wavelength import ChopperSetting, lookup_table

# Live monitor events in the NXevent_data layout (dims event_time_zero, binned).
CaveMonitorEvents = NewType("CaveMonitorEvents", sc.DataArray)
MONITOR_TOA_BINS = 1000


def histogram_cave_monitor(
    events: CaveMonitorEvents,
) -> NeXusData[CaveMonitor, SampleRun]:
    """Monitor events -> time-of-arrival histogram (NXmonitor's ``time_of_flight``).

    essreduce converts a histogrammed monitor to wavelength bin by bin; events
    would stay binned, which the integrated-monitor normalisation cannot use.
    """
    edges = sc.linspace(
        "event_time_offset",
        0.0,
        NS_PER_S / PULSE_FREQUENCY_HZ,
        MONITOR_TOA_BINS + 1,
        unit="ns",
    )
    hist = events.hist(event_time_offset=edges, dim=events.dims)
    return NeXusData[CaveMonitor, SampleRun](
        hist.rename(event_time_offset="time_of_flight")
    )


def flat_vanadium_dspacing(
    data: FocussedDataDspacing[SampleRun],
) -> FocussedDataDspacing[VanadiumRun]:
    """A generated flat vanadium (1 per bin, in the sample's unit): no file offline."""
    return FocussedDataDspacing[VanadiumRun](_flat_like(data))


def flat_vanadium_dspacing_two_theta(
    data: FocussedDataDspacingTwoTheta[SampleRun],
) -> FocussedDataDspacingTwoTheta[VanadiumRun]:
    return FocussedDataDspacingTwoTheta[VanadiumRun](_flat_like(data))


def _flat_like(data: sc.DataArray) -> sc.DataArray:
    hist = data.hist() if data.bins is not None else data
    ones = sc.ones(sizes=hist.sizes, unit=hist.unit, dtype="float64")
    coords = {k: v for k, v in hist.coords.items() if k in ("dspacing", "two_theta")}
    return sc.DataArray(ones, coords=coords)


def empty_detector(bank: BankLayout) -> sc.DataArray:
    """What essreduce would load from the bank's NXdetector: numbers and positions."""
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


def _position(xyz: tuple[float, float, float]) -> sc.Variable:
    return sc.vector(list(xyz), unit="m")


def _cave_monitor(the_geometry: InstrumentGeometry) -> sc.DataArray:
    return sc.DataArray(
        sc.scalar(0.0, unit="counts"),
        coords={"position": _position(the_geometry.monitor_position("monitor_cave"))},
    )


@cache
def _base_pipeline(per_event_kernel: bool) -> sciline.Pipeline:
    """DreamPowderWorkflow with what needs no file and no params.

    ``per_event_kernel=False`` keeps essdiffraction's own per-event chain (the
    reference the tests compare the kernel with).
    """
    wf = dream.DreamPowderWorkflow(
        run_norm=powder.RunNormalization.monitor_integrated,
        wavelength_from="analytical",
    )
    wf.insert(histogram_cave_monitor)
    wf.insert(flat_vanadium_dspacing)
    wf.insert(flat_vanadium_dspacing_two_theta)
    if per_event_kernel:
        # The per-event steps run in livedata's kernel (powder_kernel.py); the
        # library builds its tables and does everything after the histogram.
        wf.insert(powder_kernel)
        wf.insert(corrected_dspacing)
    wf = powder.with_pixel_mask_filenames(wf, [])
    wf[NeXusName[CaveMonitor]] = banks.MONITOR_CAVE
    wf[CalibrationData] = None
    wf[UncertaintyBroadcastMode] = UncertaintyBroadcastMode.drop
    wf[KeepEvents[SampleRun]] = KeepEvents[SampleRun](False)
    return wf


@cache
def _empty_detector(the_geometry: InstrumentGeometry, bank_name: str) -> sc.DataArray:
    return empty_detector(the_geometry.bank(bank_name))


@dataclass(frozen=True, eq=False)
class PowderBins:
    """What a job's params set in the pipeline: bin edges (d in Å, 2theta in
    rad; any ascending edges), the wavelength band kept (Å; ``None``: all) and
    the chopper setting the lookup table is made from."""

    dspacing: sc.Variable
    two_theta: sc.Variable
    wavelength_keep: tuple[float, float] | None
    setting: ChopperSetting

    @classmethod
    def from_params(cls, params: PowderParams) -> PowderBins:
        d, t, w = params.dspacing_edges, params.two_theta_edges, params.wavelength_range
        return cls(
            dspacing=sc.linspace(
                "dspacing", d.start, d.stop, d.num_bins + 1, unit="angstrom"
            ),
            two_theta=sc.linspace(
                "two_theta",
                np.deg2rad(t.start),
                np.deg2rad(t.stop),
                t.num_bins + 1,
                unit="rad",
            ),
            wavelength_keep=(w.start, w.stop) if w.enabled else None,
            setting=ChopperSetting(params.chopper_setting),
        )


def powder_pipeline(
    bank_name: str, params: PowderParams | PowderBins, *, per_event_kernel: bool = True
) -> sciline.Pipeline:
    """The configured pipeline of one job (a copy; the cached base is untouched)."""
    bins = params if isinstance(params, PowderBins) else PowderBins.from_params(params)
    the_geometry = geometry()
    layout = the_geometry.layout
    wf = _base_pipeline(per_event_kernel).copy()
    wf[Position[snx.NXsource, SampleRun]] = _position(layout.source_position)
    wf[Position[snx.NXsample, SampleRun]] = _position(layout.sample_position)
    wf[EmptyMonitor[SampleRun, CaveMonitor]] = _cave_monitor(the_geometry)
    table = lookup_table(bins.setting)
    wf[LookupTable[SampleRun, snx.NXdetector]] = table
    wf[LookupTable[SampleRun, CaveMonitor]] = table
    wf[NeXusName[snx.NXdetector]] = bank_name
    wf[EmptyDetector[SampleRun]] = _empty_detector(the_geometry, bank_name)
    wf[DspacingBins] = bins.dspacing.to(unit="angstrom", dtype="float64")
    wf[TwoThetaBins] = bins.two_theta.to(unit="rad", dtype="float64")
    if bins.wavelength_keep is not None:
        low = sc.scalar(bins.wavelength_keep[0], unit="angstrom")
        high = sc.scalar(bins.wavelength_keep[1], unit="angstrom")
        wf[WavelengthMask] = lambda lam: (
            (lam < low.to(unit=lam.unit)) | (lam > high.to(unit=lam.unit))
        )
        wf[WavelengthKeep] = WavelengthKeep(bins.wavelength_keep)
    else:
        wf[WavelengthMask] = None
        wf[WavelengthKeep] = WavelengthKeep(None)
    return wf


TARGETS = {
    "i_of_dspacing": IntensityDspacing[SampleRun],
    "i_of_dspacing_two_theta": IntensityDspacingTwoTheta[SampleRun],
    "focussed_dspacing": FocussedDataDspacing[SampleRun],
    "focussed_dspacing_two_theta": FocussedDataDspacingTwoTheta[SampleRun],
}


def make_powder_workflow(
    source_name: str, params: PowderParams | None, *, per_event_kernel: bool = True
) -> StreamProcessorWorkflow:
    """One job's workflow: inputs ``source_name`` (bank events) and ``monitor``."""
    params = params if params is not None else PowderParams()
    pipeline = powder_pipeline(source_name, params, per_event_kernel=per_event_kernel)
    return powder_stream_workflow(pipeline, source_name, TARGETS, MONITOR_ROLE)


def powder_stream_workflow(
    pipeline: sciline.Pipeline,
    source_name: str,
    targets: Mapping[str, type],
    monitor_key: str,
) -> StreamProcessorWorkflow:
    """``pipeline`` fed the bank's events (``source_name``) and the cave monitor's
    (``monitor_key``), computing ``targets`` (output name -> pipeline key)."""
    return StreamProcessorWorkflow(
        pipeline,
        dynamic_keys={
            source_name: NeXusData[snx.NXdetector, SampleRun],
            monitor_key: CaveMonitorEvents,
        },
        target_keys=dict(targets),
        accumulators=(
            CorrectedDspacing[SampleRun],
            WavelengthMonitor[SampleRun, CaveMonitor],
        ),
    )
