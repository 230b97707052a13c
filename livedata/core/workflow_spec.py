"""Workflow specs: what a workflow is, without importing its science (A6, G7).

Specs are registered at import time of an instrument's ``specs.py`` and must stay
cheap: pydantic models for params and a scipp-free description of every output,
so clients can list workflows, validate params and prepare plots before data
arrives, and without importing scipp.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .identifiers import WorkflowId
from .lenient_params import LenientParams, validate_leniently
from .workflow import WorkflowFactory

if TYPE_CHECKING:
    import scipp as sc


@dataclass(frozen=True)
class CoordTemplate:
    """A coordinate of an output: its dims, unit and whether it holds bin edges."""

    dims: tuple[str, ...]
    unit: str | None
    bin_edges: bool = False


@dataclass(frozen=True)
class OutputTemplate:
    """Dims, coords and unit of one workflow output, known before any data.

    ``shape`` may hold ``None`` for sizes that depend on params or data.
    """

    title: str
    dims: tuple[str, ...]
    unit: str | None
    shape: tuple[int | None, ...] = ()
    coords: Mapping[str, CoordTemplate] = field(default_factory=dict)
    description: str = ""

    @property
    def ndim(self) -> int:
        return len(self.dims)

    def to_dataarray(self) -> sc.DataArray:
        """An empty DataArray (size-0 where unknown) with the declared structure."""
        import numpy as np
        import scipp as sc

        sizes = {
            dim: (size or 0)
            for dim, size in zip(
                self.dims, self.shape or (None,) * self.ndim, strict=True
            )
        }
        data = sc.zeros(sizes=sizes, unit=self.unit)
        coords = {}
        for name, coord in self.coords.items():
            csizes = {d: sizes[d] + (1 if coord.bin_edges else 0) for d in coord.dims}
            coords[name] = sc.array(
                dims=list(csizes),
                values=np.zeros(tuple(csizes.values())),
                unit=coord.unit,
            )
        return sc.DataArray(data, coords=coords)


@dataclass(frozen=True)
class AuxInput:
    """An auxiliary or context input of a workflow, chosen per job by stream name.

    ``required`` inputs have no safe default: a job waits in ``pending_context``
    until the stream has delivered a value.
    """

    title: str
    choices: tuple[str, ...] = ()
    default: str | None = None
    required: bool = False
    description: str = ""


# (validated params or None, source name or None) -> templates of that job.
OutputTemplates = Callable[[BaseModel | None, str | None], Mapping[str, OutputTemplate]]


@dataclass(frozen=True)
class WorkflowSpec:
    """Everything about a workflow that clients and services need, minus the science.

    ``namespace`` is the service that owns the workflow (B9): only that service
    acts on its commands. ``accepts_roi`` subscribes each job to its own ROI
    streams ``{source}/{job_number}/roi_rectangle`` and ``.../roi_polygon``.
    ``outputs`` describes a job with default params; when dims, units or sizes
    depend on params or source (a wavelength-mode view, a log's unit),
    ``output_templates`` computes them and :meth:`outputs_for` answers per job.
    ``facility`` marks an id that means the same on the facility's deployed
    system (same params schema, outputs and sources; see ``peer-contract``);
    other ids are livedata's own. ``data_input=False`` marks a workflow that
    reads no data stream (a wavelength lookup table computed from params and
    the instrument's description): its source name labels the job and names no
    stream; the job computes when it starts, restarts or is reset, and then
    when an aux input changes.
    """

    instrument: str
    name: str
    namespace: str
    title: str
    source_names: tuple[str, ...]
    outputs: Mapping[str, OutputTemplate]
    version: int = 1
    description: str = ""
    group: str = ""
    params: type[BaseModel] | None = None
    aux_inputs: Mapping[str, AuxInput] = field(default_factory=dict)
    accepts_roi: bool = False
    output_templates: OutputTemplates | None = None
    facility: bool = False
    # Source -> the stream that carries its data, where they differ (a device
    # such as a motor, read from its ``.../value`` log).
    source_streams: Mapping[str, str] = field(default_factory=dict)
    data_input: bool = True

    def primary_stream(self, source_name: str) -> str:
        """The stream a job on ``source_name`` reads as its primary data."""
        return self.source_streams.get(source_name, source_name)

    @property
    def workflow_id(self) -> WorkflowId:
        return WorkflowId(
            instrument=self.instrument, name=self.name, version=self.version
        )

    def validate_params(self, params: Mapping[str, Any]) -> BaseModel | None:
        """The params model filled from ``params`` (defaults for ``{}``).

        Raises ``pydantic.ValidationError`` for unknown or wrongly typed values.
        """
        if self.params is None:
            if params:
                raise ValueError(f"workflow {self.workflow_id} takes no params")
            return None
        return self.params.model_validate(dict(params))

    def parse_params(self, params: Mapping[str, Any]) -> LenientParams:
        """Params as a service reads a ``WorkflowConfig``: like
        :meth:`validate_params`, but unknown fields are dropped and named (the
        facility's services ignore them too) instead of refusing the config."""
        if self.params is None:
            return LenientParams(None, tuple(sorted(str(k) for k in params)))
        return validate_leniently(self.params, params)

    def outputs_for(
        self,
        params: BaseModel | Mapping[str, Any] | None = None,
        source_name: str | None = None,
    ) -> Mapping[str, OutputTemplate]:
        """The output templates of a job with ``params`` on ``source_name`` (G7).

        ``params`` may be the raw dict of a ``WorkflowConfig`` (validated here,
        raising like :meth:`validate_params`) or an already validated model.
        """
        if self.output_templates is None:
            return self.outputs
        model = (
            params
            if isinstance(params, BaseModel)
            else self.validate_params(params or {})
        )
        return self.output_templates(model, source_name)


# livedata's own workflows whose ids the facility registers with another meaning
# (other params, outputs or sources) live on at this version (issue 12).
OWN_VERSION = 2


def own_version(spec: WorkflowSpec) -> WorkflowSpec:
    """``spec`` moved to :data:`OWN_VERSION`: the facility's system claims version
    1 of its name with another meaning, so livedata's richer variant moves on."""
    return replace(spec, version=OWN_VERSION)


class WorkflowRegistry:
    """Specs by workflow id, with factories attached later (two-phase, A6)."""

    def __init__(self) -> None:
        self._specs: dict[WorkflowId, WorkflowSpec] = {}
        self._factories: dict[WorkflowId, WorkflowFactory] = {}

    def register(self, spec: WorkflowSpec) -> WorkflowSpec:
        if spec.workflow_id in self._specs:
            raise ValueError(f"workflow {spec.workflow_id} is registered twice")
        self._specs[spec.workflow_id] = spec
        return spec

    def attach_factory(self, workflow_id: WorkflowId, factory: WorkflowFactory) -> None:
        if workflow_id not in self._specs:
            raise KeyError(f"no spec for workflow {workflow_id}")
        self._factories[workflow_id] = factory

    def factory(self, spec: WorkflowSpec):
        """Decorator form of ``attach_factory`` for ``factories.py`` modules."""

        def decorate(fn: WorkflowFactory) -> WorkflowFactory:
            self.attach_factory(spec.workflow_id, fn)
            return fn

        return decorate

    def spec(self, workflow_id: WorkflowId) -> WorkflowSpec | None:
        return self._specs.get(workflow_id)

    def get_factory(self, workflow_id: WorkflowId) -> WorkflowFactory | None:
        return self._factories.get(workflow_id)

    def specs(self) -> list[WorkflowSpec]:
        return list(self._specs.values())

    def __contains__(self, workflow_id: object) -> bool:
        return workflow_id in self._specs

    def __len__(self) -> int:
        return len(self._specs)
