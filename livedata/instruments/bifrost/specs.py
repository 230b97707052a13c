"""BIFROST: description and workflow specs (phase 1: light imports only)."""

from __future__ import annotations

import dataclasses

from pydantic import BaseModel, Field

from livedata.core.log_attributes import LogDataAttributes
from livedata.core.workflow_spec import (
    CoordTemplate,
    OutputTemplate,
    WorkflowRegistry,
    WorkflowSpec,
    own_version,
)
from livedata.instruments.instrument import Instrument
from livedata.workflows.detector_view_spec import (
    DetectorViewParams,
    detector_view_spec,
    spectral_edges,
)
from livedata.workflows.edges import TOFEdges
from livedata.workflows.facility import convert as facility_convert
from livedata.workflows.facility import params as facility_params
from livedata.workflows.facility import specs as facility
from livedata.workflows.facility.wavelength_lut_spec import wavelength_lut_spec
from livedata.workflows.standard_specs import register_monitor_and_log_specs

from . import banks, streams
from .elastic_qmap_spec import elastic_qmap_spec
from .qe_map_spec import qe_map_spec
from .ratemeter_spec import ratemeter_spec

PIXEL_DOWNSAMPLE = 10
LOGICAL_SCREEN = (
    banks.N_ARC * banks.N_TUBE,
    banks.N_CHANNEL * banks.N_PIXEL // PIXEL_DOWNSAMPLE,
)

registry = WorkflowRegistry()


class BifrostViewParams(DetectorViewParams):
    """Detector view params whose time-of-flight bins cover BIFROST's flights
    (162 m at 2.7-5 meV and more: ~160-240 ms, beyond one pulse period)."""

    tof_edges: TOFEdges = Field(
        default_factory=lambda: TOFEdges(start=120.0, stop=280.0, num_bins=320)
    )


detector_arc_channel = registry.register(
    dataclasses.replace(
        detector_view_spec(
            instrument="bifrost",
            name="detector_arc_channel",
            source_names=(banks.UNIFIED.name,),
            title="All triplets, (arc, tube) x (channel, pixel)",
            screen_dims=("arc_tube", "channel_pixel"),
            screen_shape=LOGICAL_SCREEN,
            screen_unit=None,
            description="Logical view of the merged detector: a row per arc and "
            f"tube, a column per channel and {PIXEL_DOWNSAMPLE} pixels. Indirect "
            "geometry: each analyser arc fixes the final energy, so time of "
            "flight (source to tube) and the incident wavelength follow per pixel "
            "from t = L1/v_i + L2/v_f, with L2 via the analyser above the tube, "
            "neutrons leaving at the pulse start (no BIFROST chopper settings "
            "ship offline) and each pixel's frame centred on its analyser's "
            "elastic time.",
        ),
        params=BifrostViewParams,
    )
)
detector_ratemeter = registry.register(own_version(ratemeter_spec()))
detector_ratemeter_facility = registry.register(
    WorkflowSpec(
        instrument="bifrost",
        name="detector_ratemeter",
        namespace="data_reduction",
        title="Detector region counts",
        description="The facility's ratemeter: events of one analyser arc (by its "
        "final energy) whose pixel along the arc (channel x 100 + pixel, tubes "
        "summed) is in [pixel_start, pixel_stop), per window and since start.",
        group="Reduction",
        source_names=(banks.UNIFIED.name,),
        params=facility_params.DetectorRatemeterParams,
        outputs={
            "detector_region_counts": OutputTemplate(
                "Counts in the region, latest window", (), "counts"
            ),
            "detector_region_counts_cumulative": OutputTemplate(
                "Counts in the region since start", (), "counts"
            ),
        },
        facility=True,
    )
)
qe_map = registry.register(qe_map_spec())
qmap = registry.register(facility.qmap_spec("bifrost", (banks.UNIFIED.name,), qe_map))
# The facility's elastic Q maps (version 1 of its ids), kinematics as qe_map's.
elastic_qmap = registry.register(elastic_qmap_spec(custom=False))
elastic_qmap_custom = registry.register(elastic_qmap_spec(custom=True))


def spectrum_view_output(params: BaseModel) -> dict[str, OutputTemplate]:
    """The facility's ``spectrum_view``: counts per pixel group (each tube's
    pixels in ``pixels_per_tube`` groups) and spectral bin since start."""
    assert isinstance(params, facility_params.DetectorViewWithSpectrumParams)
    own = facility_convert.to_view_params(params)
    edges = spectral_edges(own)
    dim = own.coordinate_mode.value
    groups = banks.N_ARC * banks.N_TUBE * banks.N_CHANNEL
    groups *= params.spectrum_params.pixels_per_tube
    return {
        "spectrum_view": OutputTemplate(
            "Counts per pixel group and bin since start",
            ("spectrum", dim),
            "counts",
            (groups, edges.num_bins),
            {
                "spectrum": CoordTemplate(("spectrum",), None),
                dim: CoordTemplate((dim,), edges.unit, bin_edges=True),
            },
        )
    }


unified_detector_view = registry.register(
    facility.detector_view_spec(
        instrument="bifrost",
        name="unified_detector_view",
        source_names=(banks.UNIFIED.name,),
        title="All triplets, (arc, tube) x (channel, pixel)",
        screen_dims=("arc_tube", "channel_pixel"),
        screen_shape=LOGICAL_SCREEN,
        screen_unit=None,
        params=facility_params.DetectorViewWithSpectrumParams,
        extra_outputs=spectrum_view_output,
        description="The facility's view of the merged detector on livedata's "
        "logical view (a row per arc and tube, a column per channel and "
        f"{PIXEL_DOWNSAMPLE} pixels), with its spectrum view.",
    )
)
# The facility's f144 logs; their units are not part of the stream table.
LOG_ATTRIBUTES = {name: LogDataAttributes(unit=None) for name in streams.LOGS}
monitors_and_logs = register_monitor_and_log_specs(
    registry,
    "bifrost",
    monitors=tuple(banks.MONITORS),
    monitor_params=facility_params.TOAOnlyMonitorDataParams,
    log_streams=streams.TIMESERIES_SOURCES,
    logs=streams.LOGS,
    log_attributes=LOG_ATTRIBUTES,
)

# The facility's wavelength table: no data input, owned by the timeseries service.
wavelength_lut = registry.register(
    wavelength_lut_spec(
        "bifrost",
        "No chopper settings of BIFROST ship offline: the table is the unchopped "
        "pulse of all the source's wavelengths.",
    )
)

instrument = Instrument(
    name="bifrost",
    title="BIFROST indirect-geometry spectrometer",
    workflows=registry,
    detectors={banks.UNIFIED.name: banks.UNIFIED},
    monitors=dict(banks.MONITORS),
    log_attributes=LOG_ATTRIBUTES,
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    default_jobs=(
        ("detector_arc_channel", (banks.UNIFIED.name,)),
        ("detector_ratemeter", (banks.UNIFIED.name,)),
        ("qe_map", (banks.UNIFIED.name,)),
        ("monitor_histogram", tuple(banks.MONITORS)),
        ("timeseries_data", streams.DEMO_LOGS),
    ),
)
