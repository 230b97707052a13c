"""The client's view of workflow lifecycles: stage, commit, stop, reset (D8).

Staging accumulates parameter changes locally; committing validates them against
the instrument's WorkflowSpec and starts one job per source. Running jobs seen
in heartbeats are adopted, so a console restarted mid-run (or the CLI) can stop
jobs that another client started.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from ..config.loader import deep_merge
from ..core.commands import JobAction, JobSchedule
from ..core.identifiers import JobId, WorkflowId
from ..core.status import JobState, JobStatus
from ..core.workflow_spec import WorkflowRegistry, WorkflowSpec
from .command_service import CommandService
from .config_store import ConfigStore, StoredConfig
from .job_service import JobService
from .snapshots import CommandRow


@dataclass(frozen=True)
class ValidatedConfig:
    """A config that passed the spec: ready to send."""

    spec: WorkflowSpec
    source_names: tuple[str, ...]
    params: dict[str, Any]  # the full params model dump (defaults filled in)
    aux_source_names: dict[str, str]


@dataclass
class _Workflow:
    staged: StoredConfig = field(default_factory=StoredConfig)
    jobs: dict[str, JobId] = field(default_factory=dict)  # by str(job id)

    def job_of(self, source: str) -> JobId | None:
        """The most recent job of this workflow on ``source``."""
        found = [j for j in self.jobs.values() if j.source_name == source]
        return found[-1] if found else None


def nest_dotted(params: Mapping[str, Any]) -> dict[str, Any]:
    """``{"toa_edges.num_bins": 10}`` -> ``{"toa_edges": {"num_bins": 10}}``."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        target = out
        *parents, leaf = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ValueError(f"param {key!r} conflicts with a value for {part!r}")
        if isinstance(value, Mapping) and isinstance(target.get(leaf), dict):
            target[leaf] = deep_merge(target[leaf], value)
        else:
            target[leaf] = value
    return out


def _choices(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "(none)"


def _param_error(spec: WorkflowSpec, error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "params"
    valid = list(spec.params.model_fields) if spec.params else []
    return (
        f"invalid params for {spec.workflow_id}: {where}: {first['msg']}"
        f" (valid params: {_choices(valid)})"
    )


class Orchestrator:
    """Workflows as an operator drives them: validates params against the
    spec, stages and commits configs, and starts, stops or resets their jobs."""

    def __init__(
        self,
        instrument: str,
        registry: WorkflowRegistry,
        commands: CommandService,
        jobs: JobService,
        store: ConfigStore | None = None,
    ) -> None:
        self.instrument = instrument
        self._registry = registry
        self._commands = commands
        self._jobs = jobs
        self._store = store
        self._lock = threading.RLock()
        self._workflows: dict[str, _Workflow] = {}
        self.load_staged()

    def load_staged(self) -> None:
        """Take staged configs from the store for workflows staged nothing yet."""
        if self._store is None:
            return
        with self._lock:
            for wid, record in self._store.records().items():
                state = self._workflows.setdefault(wid, _Workflow())
                if record.staged is not None and not state.staged.source_names:
                    state.staged = record.staged

    # -- specs and validation ------------------------------------------------

    def specs(self) -> list[WorkflowSpec]:
        return self._registry.specs()

    def spec(self, workflow_id: str | WorkflowId) -> WorkflowSpec:
        valid = sorted(str(s.workflow_id) for s in self._registry.specs())
        try:
            wid = (
                workflow_id
                if isinstance(workflow_id, WorkflowId)
                else WorkflowId.parse_str(workflow_id)
            )
        except ValueError as error:
            raise ValueError(f"{error}; valid workflows: {_choices(valid)}") from None
        spec = self._registry.spec(wid) if wid.instrument == self.instrument else None
        if spec is None:
            raise ValueError(
                f"unknown workflow {wid} for {self.instrument}; "
                f"valid workflows: {_choices(valid)}"
            )
        return spec

    def validate(
        self,
        workflow_id: str | WorkflowId,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
    ) -> ValidatedConfig:
        """Check a config against its spec; ``ValueError`` with a one-line reason."""
        spec = self.spec(workflow_id)
        if isinstance(source_names, str):
            source_names = [source_names]
        sources = tuple(dict.fromkeys(source_names))
        if not sources:
            raise ValueError(
                f"no source for {spec.workflow_id}; "
                f"valid sources: {_choices(spec.source_names)}"
            )
        unknown = [s for s in sources if s not in spec.source_names]
        if unknown:
            raise ValueError(
                f"unknown source {', '.join(unknown)} for {spec.workflow_id}; "
                f"valid sources: {_choices(spec.source_names)}"
            )
        return ValidatedConfig(
            spec,
            sources,
            self._validate_params(spec, nest_dotted(params or {})),
            self._validate_aux(spec, dict(aux_source_names or {})),
        )

    @staticmethod
    def _validate_params(spec: WorkflowSpec, params: dict[str, Any]) -> dict[str, Any]:
        model: type[BaseModel] | None = spec.params
        if model is None:
            if params:
                raise ValueError(f"workflow {spec.workflow_id} takes no params")
            return {}
        unknown = [k for k in params if k not in model.model_fields]
        if unknown:
            raise ValueError(
                f"unknown param {', '.join(unknown)} for {spec.workflow_id}; "
                f"valid params: {_choices(list(model.model_fields))}"
            )
        try:
            validated = spec.validate_params(params)
        except ValidationError as error:
            raise ValueError(_param_error(spec, error)) from None
        return validated.model_dump(mode="json") if validated is not None else {}

    @staticmethod
    def _validate_aux(spec: WorkflowSpec, aux: dict[str, str]) -> dict[str, str]:
        for role, stream in aux.items():
            inp = spec.aux_inputs.get(role)
            if inp is None:
                raise ValueError(
                    f"unknown aux input {role!r} for {spec.workflow_id}; "
                    f"valid aux inputs: {_choices(list(spec.aux_inputs))}"
                )
            if inp.choices and stream not in inp.choices:
                raise ValueError(
                    f"aux input {role!r} of {spec.workflow_id} cannot be {stream!r}; "
                    f"valid choices: {_choices(inp.choices)}"
                )
        return aux

    # -- staging and lifecycle -------------------------------------------------

    def staged(self, workflow_id: str | WorkflowId) -> StoredConfig:
        wid = str(self.spec(workflow_id).workflow_id)
        with self._lock:
            return self._workflows.get(wid, _Workflow()).staged

    def stage(
        self,
        workflow_id: str | WorkflowId,
        source_names: Sequence[str] | None = None,
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
    ) -> StoredConfig:
        """Merge changes into the staged config (validated, not sent)."""
        spec = self.spec(workflow_id)
        wid = str(spec.workflow_id)
        with self._lock:
            current = self._workflows.get(wid, _Workflow()).staged
            sources = (
                tuple(source_names)
                if source_names is not None
                else current.source_names or spec.source_names
            )
            merged = deep_merge(current.params, nest_dotted(params or {}))
            aux = {**current.aux_source_names, **(aux_source_names or {})}
            self.validate(spec.workflow_id, sources, merged, aux)
            staged = StoredConfig(sources, merged, aux)
            self._workflows.setdefault(wid, _Workflow()).staged = staged
            if self._store is not None:
                self._store.put(wid, staged=staged)
            return staged

    def commit(
        self,
        workflow_id: str | WorkflowId,
        *,
        start_time_ns: int | None = None,
        end_time_ns: int | None = None,
        fresh: bool = False,
    ) -> CommandRow:
        """Start the staged config; replaces this workflow's running jobs per source
        (same job number) unless ``fresh``."""
        spec = self.spec(workflow_id)
        staged = self.staged(spec.workflow_id)
        sources = staged.source_names or spec.source_names
        return self._start(
            self.validate(
                spec.workflow_id, sources, staged.params, staged.aux_source_names
            ),
            JobSchedule(start_time=start_time_ns, end_time=end_time_ns),
            fresh=fresh,
        )

    def start(
        self,
        workflow_id: str | WorkflowId,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
        *,
        start_time_ns: int | None = None,
        end_time_ns: int | None = None,
        replace: bool = False,
    ) -> CommandRow:
        """Validate, stage and start new jobs (fresh job numbers), in one step;
        with ``replace`` a source's running job (as heard) is replaced in place
        (same job number: the service stops the old one as it starts the new)."""
        config = self.validate(workflow_id, source_names, params, aux_source_names)
        wid = str(config.spec.workflow_id)
        staged = StoredConfig(
            config.source_names, nest_dotted(params or {}), config.aux_source_names
        )
        with self._lock:
            self._workflows.setdefault(wid, _Workflow()).staged = staged
        if self._store is not None:
            self._store.put(wid, staged=staged)
        return self._start(
            config,
            JobSchedule(start_time=start_time_ns, end_time=end_time_ns),
            fresh=not replace,
        )

    def _start(
        self, config: ValidatedConfig, schedule: JobSchedule, *, fresh: bool
    ) -> CommandRow:
        wid = str(config.spec.workflow_id)
        with self._lock:
            state = self._workflows.setdefault(wid, _Workflow())
            job_ids = [
                (None if fresh else state.job_of(s)) or JobId(source_name=s)
                for s in config.source_names
            ]
            state.jobs.update({str(j): j for j in job_ids})
        # Never send while holding the lock: the pump thread takes it too.
        row = self._commands.start_jobs(
            config.spec.workflow_id,
            job_ids,
            params=config.params,
            aux_source_names=config.aux_source_names,
            schedule=schedule,
        )
        if self._store is not None:
            committed = StoredConfig(
                config.source_names, state.staged.params, config.aux_source_names
            )
            self._store.put(wid, committed=committed, job_ids=row.job_ids)
        return row

    def running_jobs(self, workflow_id: str | WorkflowId | None = None) -> list[str]:
        """Jobs this client started or adopted, plus any seen running."""
        wid = None if workflow_id is None else str(self.spec(workflow_id).workflow_id)
        with self._lock:
            mine = [
                str(job)
                for w, state in self._workflows.items()
                if wid is None or w == wid
                for job in state.jobs.values()
            ]
        return list(dict.fromkeys([*mine, *self._jobs.active(wid)]))

    def stop(self, workflow_id: str | WorkflowId) -> CommandRow:
        return self._act_on_workflow(JobAction.STOP, workflow_id)

    def reset(self, workflow_id: str | WorkflowId) -> CommandRow:
        return self._act_on_workflow(JobAction.RESET, workflow_id)

    def _act_on_workflow(
        self, action: JobAction, workflow_id: str | WorkflowId
    ) -> CommandRow:
        spec = self.spec(workflow_id)
        jobs = self.running_jobs(spec.workflow_id)
        if jobs:
            return self.act_on_jobs(action, jobs)
        return self._commands.act_broadly(
            action, spec.workflow_id, expected_job_ids=None
        )

    def act_on_jobs(self, action: JobAction, job_ids: Sequence[str]) -> CommandRow:
        parsed = [self._parse_job_id(j) for j in job_ids]
        if not parsed:
            raise ValueError(f"no job ids to {action.value}")
        if action is JobAction.STOP:
            self._forget({str(j) for j in parsed})
        return self._commands.act_on_jobs(action, parsed)

    def _forget(self, job_ids: set[str] | None) -> None:
        """Jobs being stopped are no longer ours to stop (None: all of them)."""
        with self._lock:
            for state in self._workflows.values():
                for job in list(state.jobs):
                    if job_ids is None or job in job_ids:
                        del state.jobs[job]

    def act_on_all(self, action: JobAction) -> CommandRow:
        """Every job of every service; waits for the jobs known to run."""
        known = self.running_jobs()
        if action is JobAction.STOP:
            self._forget(None)
        return self._commands.act_broadly(action, None, expected_job_ids=known or None)

    @staticmethod
    def _parse_job_id(text: str | JobId) -> JobId:
        if isinstance(text, JobId):
            return text
        try:
            return JobId.model_validate(text)
        except ValidationError:
            raise ValueError(
                f"job id {text!r} is not of the form source/uuid"
            ) from None

    # -- adoption ---------------------------------------------------------------

    def observe_job(self, status: JobStatus) -> bool:
        """Adopt a running job from a heartbeat; forget a stopped one."""
        wid = status.workflow_id
        job = str(status.job_id)
        with self._lock:
            state = self._workflows.get(wid)
            if status.state is JobState.STOPPED:
                if state is not None and job in state.jobs:
                    del state.jobs[job]
                    return True
                return False
            if state is None:
                state = self._workflows.setdefault(wid, _Workflow())
            if job not in state.jobs:
                state.jobs[job] = status.job_id
                return True
            return False
