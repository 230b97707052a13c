"""Area detector (camera) view spec and params (light: pydantic only) (F4)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec

AREA_DIMS = ("dim_0", "dim_1")


class AreaDetectorParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    downsample: int = Field(default=1, ge=1, le=64, description="sum NxN blocks")


def area_detector_spec(
    *,
    instrument: str,
    name: str,
    source_names: tuple[str, ...],
    shape: tuple[int, int],
    title: str,
    description: str = "",
) -> WorkflowSpec:
    coords = {dim: CoordTemplate((dim,), None) for dim in AREA_DIMS}

    def image(text: str) -> OutputTemplate:
        return OutputTemplate(text, AREA_DIMS, "counts", shape, coords)

    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace="detector_data",
        title=title,
        description=description or "Summed camera frames; shape before downsampling.",
        group="Detector views",
        source_names=source_names,
        params=AreaDetectorParams,
        outputs={
            "cumulative": image("Camera image since start"),
            "current": image("Camera image, latest window"),
            "counts_total": OutputTemplate("Counts in the latest window", (), "counts"),
        },
    )
