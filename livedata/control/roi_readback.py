"""Request against readback: has the service taken a job's ROIs? (D12)

The detector view echoes the ROIs it applies as its ``roi_rectangle`` and
``roi_polygon`` outputs, in its screen unit, with every result it publishes. A
readback equal to the request (after unit conversion) means "confirmed"; until
then the request is pending. The plot server draws the two differently; the CLI
prints them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..core.identifiers import JobId, ResultKey, WorkflowId
from .roi import SHAPES, RoiError, RoiRequest

if TYPE_CHECKING:
    import scipp as sc


class RoiSync(StrEnum):
    """How a job's request stands against the service's readback."""

    NO_READBACK = "no readback"  # the service published no ROI output yet
    PENDING = "pending"  # a readback, but not (yet) the request
    CONFIRMED = "confirmed"  # the readback is the request
    READBACK_ONLY = "readback only"  # nothing requested by this client


@dataclass(frozen=True)
class RoiState:
    """A request and the latest readback of one job, taken together."""

    request: RoiRequest | None
    readback: RoiRequest | None
    readback_time_ns: int | None = None
    problem: str | None = None  # a readback that could not be read

    @property
    def sync(self) -> RoiSync:
        if self.readback is None:
            return RoiSync.NO_READBACK
        if self.request is None:
            return RoiSync.READBACK_ONLY
        if self.request.same_shapes(self.readback):
            return RoiSync.CONFIRMED
        return RoiSync.PENDING

    @property
    def confirmed(self) -> bool:
        return self.sync is RoiSync.CONFIRMED

    def to_json(self) -> dict[str, Any]:
        def side(r: RoiRequest | None) -> dict[str, Any] | None:
            return None if r is None else {"unit": r.unit, "shapes": r.describe()}

        return {
            "sync": self.sync.value,
            "request": side(self.request),
            "readback": side(self.readback),
            "readback_time_ns": self.readback_time_ns,
            "problem": self.problem,
        }


class RoiReadbackTracker:
    """One job's request and latest readback; feed it the job's results."""

    def __init__(self, workflow_id: WorkflowId | str, job_id: JobId | str) -> None:
        self.workflow_id = (
            workflow_id
            if isinstance(workflow_id, WorkflowId)
            else WorkflowId.parse_str(workflow_id)
        )
        self.job_id = (
            job_id if isinstance(job_id, JobId) else JobId.model_validate(job_id)
        )
        self._request: RoiRequest | None = None
        self._latest: dict[str, tuple[sc.DataArray, int]] = {}
        self._readback: RoiRequest | None = None
        self._problem: str | None = None

    def result_key(self, shape: str) -> ResultKey:
        """The key of the job's readback output for ``shape``."""
        return ResultKey(
            workflow_id=self.workflow_id, job_id=self.job_id, output_name=shape
        )

    def requested(self, request: RoiRequest | None) -> None:
        self._request = request

    def observe(self, key: ResultKey, value: sc.DataArray, time_ns: int = 0) -> bool:
        """A result of any job; True when it was one of this job's readbacks."""
        if key.job_id != self.job_id or key.output_name not in SHAPES:
            return False
        self._latest[key.output_name] = (value, time_ns)
        if len(self._latest) == len(SHAPES):
            try:
                self._readback = RoiRequest.from_dataarrays(
                    self._latest["roi_rectangle"][0], self._latest["roi_polygon"][0]
                )
                self._problem = None
            except RoiError as error:
                self._problem = str(error)
        return True

    def update_from(self, data_service: Any) -> None:
        """Read the latest readbacks from a ``DataService`` (pull, not push)."""
        for shape in SHAPES:
            value = data_service.get(self.result_key(shape))
            if value is not None:
                self.observe(self.result_key(shape), value, _time_ns(value))

    def state(self) -> RoiState:
        times = [t for _, t in self._latest.values()]
        return RoiState(
            request=self._request,
            readback=self._readback,
            readback_time_ns=max(times) if times else None,
            problem=self._problem,
        )


def _time_ns(value: Any) -> int:
    coord = (
        getattr(value, "coords", {}).get("time") if hasattr(value, "coords") else None
    )
    if coord is None:
        return 0
    try:
        import numpy as np

        raw = np.asarray(coord.values)
        if raw.dtype.kind == "M":
            return int(raw.astype("datetime64[ns]").astype(np.int64))
        return int(raw)
    except (TypeError, ValueError):
        return 0
