"""DREAM: description and workflow specs (phase 1: light imports only)."""

from __future__ import annotations

from livedata.core.log_attributes import LogDataAttributes
from livedata.core.workflow_spec import WorkflowRegistry
from livedata.instruments.instrument import Instrument
from livedata.workflows.detector_view_spec import detector_view_spec
from livedata.workflows.facility import params as facility_params
from livedata.workflows.facility import specs as facility
from livedata.workflows.facility.wavelength_lut_spec import wavelength_lut_spec
from livedata.workflows.standard_specs import register_monitor_and_log_specs
from livedata.workflows.total_counts_spec import total_counts_spec

from . import banks, streams
from .powder_facility_spec import powder_reduction_spec
from .powder_spec import powder_spec

# Screen resolution of the geometric views: (rows, columns).
MANTLE_SCREEN = (64, 90)  # (z, arc_length)
ENDCAP_SCREEN = (80, 80)  # (y, x)
HIGH_RES_SCREEN = (64, 64)
SANS_SCREEN = (64, 64)
MANTLE_LOGICAL_SCREEN = (
    banks.MANTLE.shape[3],
    banks.MANTLE.shape[1] * banks.MANTLE.shape[2],
)
# Columns the long "other" axis of the high-resolution and SANS banks is
# binned into by the logical views.
OTHER_COLUMNS = 64

registry = WorkflowRegistry()

mantle_view = registry.register(
    detector_view_spec(
        instrument="dream",
        name="mantle_view",
        source_names=(banks.MANTLE.name,),
        title="Mantle, cylinder projection",
        screen_dims=("z", "arc_length"),
        screen_shape=MANTLE_SCREEN,
        description="Pixels projected onto the mantle cylinder (z along the beam, "
        "arc length around it), with pixel-noise replicas.",
    )
)
mantle_logical = registry.register(
    detector_view_spec(
        instrument="dream",
        name="mantle_strip_sector",
        source_names=(banks.MANTLE.name,),
        title="Mantle, strip x sector",
        screen_dims=("strip", "sector"),
        screen_shape=MANTLE_LOGICAL_SCREEN,
        screen_unit=None,
        description="Logical view: counts per strip and sector (module x segment), "
        "summed over wires and counters.",
    )
)
endcap_views = {
    bank.name: registry.register(
        detector_view_spec(
            instrument="dream",
            name=f"{bank.name.removesuffix('_detector')}_view",
            source_names=(bank.name,),
            title=f"{bank.name.removesuffix('_detector').replace('_', ' ').title()}"
            ", xy plane",
            screen_shape=shape,
            description="Pixels projected onto the xy plane, with pixel-noise replicas.",
        )
    )
    for bank, shape in (
        (banks.ENDCAP_BACKWARD, ENDCAP_SCREEN),
        (banks.ENDCAP_FORWARD, ENDCAP_SCREEN),
        (banks.HIGH_RESOLUTION, HIGH_RES_SCREEN),
    )
}
# The facility's views of DREAM (version 1 of its ids), on livedata's views.
GEOMETRIC_SCREENS = {
    banks.MANTLE.name: (("z", "arc_length"), MANTLE_SCREEN, "m"),
    banks.ENDCAP_BACKWARD.name: (("y", "x"), ENDCAP_SCREEN, "m"),
    banks.ENDCAP_FORWARD.name: (("y", "x"), ENDCAP_SCREEN, "m"),
    banks.HIGH_RESOLUTION.name: (("y", "x"), HIGH_RES_SCREEN, "m"),
    banks.SANS.name: (("y", "x"), SANS_SCREEN, "m"),
}


def fold_screen(bank, rows: str) -> tuple[tuple[str, str], tuple[int, int], None]:
    """A logical screen: ``rows`` down, the bank's sectors (module x segment)
    across, or its "other" axis binned into ``OTHER_COLUMNS``."""
    sizes = dict(zip(bank.dims, bank.shape, strict=True))
    if "module" in sizes:
        return (rows, "sector"), (sizes[rows], sizes["module"] * sizes["segment"]), None
    return (rows, "other"), (sizes[rows], OTHER_COLUMNS), None


detector_projection = registry.register(
    facility.detector_view_spec(
        instrument="dream",
        name="detector_projection",
        source_names=banks.BANK_NAMES,
        title="Detector banks, projected",
        screens=GEOMETRIC_SCREENS,
        params=facility_params.DreamDetectorViewParams,
        description="The facility's projection of every bank: the mantle onto its "
        "cylinder (z, arc length), the other banks onto the xy plane, with "
        "pixel-noise replicas (livedata's geometric views). The instrument "
        "configuration is accepted; the views' wavelength conversion does not "
        "depend on it.",
    )
)
mantle_front_layer = registry.register(
    facility.detector_view_spec(
        instrument="dream",
        name="mantle_front_layer",
        source_names=(banks.MANTLE.name,),
        title="Mantle, front layer",
        screens={banks.MANTLE.name: fold_screen(banks.MANTLE, "strip")},
        description="The mantle's innermost wire layer (wire 0, both counters): "
        "counts per strip and sector (module x segment).",
    )
)
strip_view = registry.register(
    facility.detector_view_spec(
        instrument="dream",
        name="strip_view",
        source_names=banks.BANK_NAMES,
        title="Counts per strip",
        screens={bank.name: fold_screen(bank, "strip") for bank in banks.BANKS},
        roi=False,
        description="Counts per strip and sector (module x segment), summed over "
        "wires and counters; the high-resolution and SANS banks per strip and "
        f"their other axis in {OTHER_COLUMNS} columns.",
    )
)
WIRE_BANKS = (banks.MANTLE, banks.ENDCAP_BACKWARD, banks.ENDCAP_FORWARD)
wire_view = registry.register(
    facility.detector_view_spec(
        instrument="dream",
        name="wire_view",
        source_names=tuple(bank.name for bank in WIRE_BANKS),
        title="Counts per wire",
        screens={bank.name: fold_screen(bank, "wire") for bank in WIRE_BANKS},
        roi=False,
        description="Counts per wire and sector (module x segment), summed over "
        "strips and counters.",
    )
)
# The facility's f144 logs; their units are not part of the stream table.
LOG_ATTRIBUTES = {name: LogDataAttributes(unit=None) for name in streams.LOGS}
monitors_and_logs = register_monitor_and_log_specs(
    registry,
    "dream",
    monitors=tuple(banks.MONITORS),
    monitor_params=facility_params.DreamMonitorDataParams,
    log_streams=streams.TIMESERIES_SOURCES,
    logs=streams.LOGS,
    log_attributes=LOG_ATTRIBUTES,
)
total_counts = registry.register(total_counts_spec("dream", banks.BANK_NAMES))
powder = registry.register(powder_spec())
# The facility's powder reductions (version 1 of its ids) on dream/powder.
powder_reduction = registry.register(powder_reduction_spec(vanadium=False))
powder_reduction_with_vanadium = registry.register(powder_reduction_spec(vanadium=True))

DEMO_LOGS = ("neutron_prod_info/pulse_charge", "band_chopper/rotation_speed")

# The facility's wavelength table: no data input, owned by the timeseries service.
wavelength_lut = registry.register(
    wavelength_lut_spec(
        "dream",
        "Made with DREAM's disk choppers in their default configuration "
        "(high flux, BC240; ess.dream).",
    )
)

instrument = Instrument(
    name="dream",
    title="DREAM powder diffractometer",
    workflows=registry,
    detectors={bank.name: bank for bank in banks.BANKS},
    monitors=dict(banks.MONITORS),
    log_attributes=LOG_ATTRIBUTES,
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    default_jobs=(
        ("mantle_view", (banks.MANTLE.name,)),
        ("endcap_backward_view", (banks.ENDCAP_BACKWARD.name,)),
        ("endcap_forward_view", (banks.ENDCAP_FORWARD.name,)),
        ("high_resolution_view", (banks.HIGH_RESOLUTION.name,)),
        ("monitor_histogram", tuple(banks.MONITORS)),
        ("timeseries_data", DEMO_LOGS),
        ("powder", (banks.MANTLE.name,)),
    ),
)
