"""bifrost/qe_map spec and params (light: pydantic and livedata.core only)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from livedata.core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec
from livedata.workflows.edges import OrderedRange

from . import banks


class QEdges(OrderedRange):
    start: float = Field(default=0.0, ge=0.0, description="1/Å")
    stop: float = Field(default=2.5, gt=0.0, le=20.0, description="1/Å")
    num_bins: int = Field(default=100, ge=1, le=2000)


class EnergyTransferEdges(OrderedRange):
    start: float = Field(default=-2.0, ge=-50.0, description="meV")
    stop: float = Field(default=2.0, le=50.0, description="meV")
    num_bins: int = Field(default=80, ge=1, le=2000)


class QEParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q_edges: QEdges = Field(default_factory=QEdges)
    energy_transfer_edges: EnergyTransferEdges = Field(
        default_factory=EnergyTransferEdges
    )


_DESCRIPTION = (
    "Counts of the merged detector in |Q| and energy transfer, since start and in "
    "the latest window. Indirect kinematics per event: each analyser arc fixes E_f; "
    "the time of flight gives E_i (scippneutron's energy_transfer_indirect_from_tof) "
    "and |Q| follows from k_i, k_f and the analyser's scattering angle. Computed "
    "here, not with essspectroscopy (not installed offline). Not normalised (no "
    "vanadium or monitor); neutrons leave at the pulse start (no BIFROST chopper "
    "settings ship offline) and each pixel's frame is centred on its analyser's "
    "elastic time. Weighting: every event counts 1. The per-event conversion runs "
    "in livedata's kernel; it equals scippneutron's on the same events."
)


def qe_map_spec() -> WorkflowSpec:
    coords = {
        "Q": CoordTemplate(("Q",), "1/angstrom", bin_edges=True),
        "energy_transfer": CoordTemplate(("energy_transfer",), "meV", bin_edges=True),
    }

    def qe(title: str) -> OutputTemplate:
        return OutputTemplate(
            title,
            ("Q", "energy_transfer"),
            "counts",
            (None, None),
            coords,
            "raw counts per (|Q|, energy transfer) bin: no normalisation",
        )

    return WorkflowSpec(
        instrument="bifrost",
        name="qe_map",
        namespace="data_reduction",
        title="Q-E map",
        description=_DESCRIPTION,
        group="Reduction",
        source_names=(banks.UNIFIED.name,),
        params=QEParams,
        outputs={
            "qe_map": qe("Counts in (|Q|, energy transfer) since start"),
            "qe_map_current": qe("Counts in (|Q|, energy transfer), latest window"),
        },
    )
