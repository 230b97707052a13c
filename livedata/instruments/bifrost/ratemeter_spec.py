"""bifrost/detector_ratemeter spec (light: livedata.core only)."""

from __future__ import annotations

from livedata.core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec

from . import banks


def ratemeter_spec() -> WorkflowSpec:
    folded = banks.UNIFIED.dims
    index = {dim: CoordTemplate((dim,), None) for dim in ("arc", "channel")}
    return WorkflowSpec(
        instrument="bifrost",
        name="detector_ratemeter",
        namespace="data_reduction",
        title="Detector ratemeter",
        description="Counts of the merged detector folded to (arc, tube, channel, "
        "pixel) since start, and the count rate per arc and channel in the latest "
        "window (window length from the pulses seen, 14 Hz).",
        group="Reduction",
        source_names=(banks.UNIFIED.name,),
        outputs={
            "detector_counts": OutputTemplate(
                "Counts per pixel since start", folded, "counts", banks.UNIFIED.shape
            ),
            "rate": OutputTemplate(
                "Count rate per arc and channel, latest window",
                ("arc", "channel"),
                "counts/s",
                (banks.N_ARC, banks.N_CHANNEL),
                index,
            ),
            "rate_total": OutputTemplate(
                "Total count rate, latest window", (), "counts/s"
            ),
        },
    )
