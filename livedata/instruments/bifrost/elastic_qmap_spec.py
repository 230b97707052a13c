"""The facility's ``bifrost/elastic_qmap*`` ids: counts in two components of Q (light).

Same params, output, source and service as the facility registers them
(``tests/contract/peer/workflows-bifrost.json``). The map is computed with the
kinematics of livedata's Q-E map (``qe_map.py``, ``elastic_qmap.py``): per
event k_i from the time of flight, k_f from the pixel's analyser arc, and
Q = k_i - k_f (the facility's convention), projected onto the two axes.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from livedata.core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec
from livedata.workflows.facility.convert import scipp_unit
from livedata.workflows.facility.params import QEdges
from livedata.workflows.facility.reduction_params import (
    BifrostCustomElasticQMapParams,
    BifrostElasticQMapParams,
    CustomQAxis,
    QAxisParams,
)

from . import banks

# The lab axes: x horizontal (to the left of the beam), y up, z along the beam.
UNIT_VECTORS = {"Qx": (1.0, 0.0, 0.0), "Qy": (0.0, 1.0, 0.0), "Qz": (0.0, 0.0, 1.0)}
FRAME_WARNING = (
    "Q is in the laboratory frame (sample rotation a3 = 0) with the analysers "
    "where the geometry file puts them: this id has no sample- or "
    "detector-rotation input"
)


@dataclass(frozen=True)
class MapAxis:
    """One axis of the map: its name (the output's dim), the direction in Q it
    projects onto (not normalised) and its bins (the facility's params)."""

    name: str
    direction: tuple[float, float, float]
    edges: QEdges | QAxisParams


def custom_axis_name(axis: CustomQAxis) -> str:
    """The facility's name of a custom axis: ``Q_(1.0,0.0,0.0)``."""
    return f"Q_({axis.qx},{axis.qy},{axis.qz})"


def map_axes(params: BaseModel | None, custom: bool) -> tuple[MapAxis, MapAxis]:
    """(axis1, axis2) of a job; the output's dims are (axis2, axis1)."""
    if custom:
        p = params if isinstance(params, BifrostCustomElasticQMapParams) else None
        p = p or BifrostCustomElasticQMapParams()
        return tuple(  # type: ignore[return-value]
            MapAxis(custom_axis_name(a), (a.qx, a.qy, a.qz), edges)
            for a, edges in ((p.axis1, p.axis1_edges), (p.axis2, p.axis2_edges))
        )
    q = params if isinstance(params, BifrostElasticQMapParams) else None
    q = q or BifrostElasticQMapParams()
    return tuple(  # type: ignore[return-value]
        MapAxis(a.axis, UNIT_VECTORS[a.axis], a) for a in (q.axis1, q.axis2)
    )


def _outputs(params: BaseModel | None, custom: bool) -> dict[str, OutputTemplate]:
    axis1, axis2 = map_axes(params, custom)
    coords = {
        a.name: CoordTemplate((a.name,), scipp_unit(a.edges.unit), bin_edges=True)
        for a in (axis1, axis2)
    }
    return {
        "cut_data": OutputTemplate(
            f"Counts in ({axis1.name}, {axis2.name}) since start",
            (axis2.name, axis1.name),
            "counts",
            (axis2.edges.num_bins, axis1.edges.num_bins),
            coords,
            "events per bin of the two components of Q = k_i - k_f, since start: "
            "no normalisation",
        )
    }


_DESCRIPTION = (
    "Counts of the merged detector in two components of the momentum transfer "
    "Q = k_i - k_f, since start. Kinematics per event as livedata's Q-E map: "
    "each analyser arc fixes E_f (k_f along the scattering plane towards the "
    "pixel's analyser), the time of flight gives E_i, so elastic events (E_i = "
    "E_f) land at Q = 2 k sin(theta). Every event counts 1; no normalisation. "
    "Q is in the laboratory frame (x horizontal, y up, z along the beam): this "
    "id has no sample-rotation (a3) or detector-rotation (a4) input, so jobs "
    "say so in their heartbeat warning. Neutrons leave at the pulse start (no "
    "BIFROST chopper settings ship offline); each pixel's frame is centred on "
    "its analyser's elastic time."
)


def elastic_qmap_spec(*, custom: bool) -> WorkflowSpec:
    """``bifrost/elastic_qmap/1`` (Qx, Qy, Qz axes) or ``..._custom/1``."""
    axes = (
        "two directions in Q given by their components (normalised)"
        if custom
        else "two of Qx, Qy, Qz"
    )
    return WorkflowSpec(
        instrument="bifrost",
        name="elastic_qmap_custom" if custom else "elastic_qmap",
        namespace="data_reduction",
        title="Elastic Q map (custom axes)" if custom else "Elastic Q map",
        description=f"{_DESCRIPTION} Axes: {axes}.",
        group="Reduction",
        source_names=(banks.UNIFIED.name,),
        params=BifrostCustomElasticQMapParams if custom else BifrostElasticQMapParams,
        outputs=_outputs(None, custom),
        output_templates=lambda params, source: _outputs(params, custom),
        facility=True,
    )
