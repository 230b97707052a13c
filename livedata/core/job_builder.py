"""Turns a ``WorkflowConfig`` into a ``Job``, or into a one-line reason why not."""

from __future__ import annotations

from .commands import WorkflowConfig
from .job import Job
from .metrics import Counters
from .workflow import WorkflowContext, WorkflowFactory, config_warning
from .workflow_spec import WorkflowSpec

ROI_SHAPES = ("roi_rectangle", "roi_polygon")


class JobConfigError(ValueError):
    """A config this service owns but cannot run; the message goes into the ERR."""


def roi_stream_name(config: WorkflowConfig, shape: str) -> str:
    """The per-job ROI stream, ``{source}/{job_number}/roi_{shape}`` (D12)."""
    return f"{config.job_id.source_name}/{config.job_id.job_number}/{shape}"


def _roi_roles(spec: WorkflowSpec, config: WorkflowConfig) -> set[str]:
    """The ROI roles a config names, as the facility's dashboard sends them
    (``{"roi_rectangle": "roi_rectangle", ...}``) for a view that takes ROIs.

    The job reads its own ROI streams (``roi_stream_name``) whatever the config
    says, so these roles only need to be the expected ones.
    """
    if not spec.accepts_roi:
        return set()
    roles = set(config.aux_source_names) & set(ROI_SHAPES)
    for role in roles:
        if config.aux_source_names[role] != role:
            raise JobConfigError(
                f"aux input {role!r}: {config.aux_source_names[role]!r} "
                f"is not one of {role}"
            )
    return roles


def resolve_aux_streams(spec: WorkflowSpec, config: WorkflowConfig) -> dict[str, str]:
    """Role -> stream name: the config's choice, else the spec's default."""
    roi_roles = _roi_roles(spec, config)
    unknown = sorted(set(config.aux_source_names) - set(spec.aux_inputs) - roi_roles)
    if unknown:
        known = ", ".join(sorted(spec.aux_inputs)) or "none"
        if spec.accepts_roi:
            known = ", ".join(sorted({*spec.aux_inputs, *ROI_SHAPES}))
        raise JobConfigError(
            f"unknown aux role(s) {', '.join(unknown)} (known: {known})"
        )
    resolved: dict[str, str] = {}
    for role, aux in spec.aux_inputs.items():
        stream = config.aux_source_names.get(role, aux.default)
        if stream is None:
            if aux.required:
                raise JobConfigError(f"required aux input {role!r} has no stream")
            continue
        if aux.choices and stream not in aux.choices:
            raise JobConfigError(
                f"aux input {role!r}: {stream!r} is not one of {', '.join(aux.choices)}"
            )
        resolved[role] = stream
    return resolved


def build_job(
    spec: WorkflowSpec,
    config: WorkflowConfig,
    factory: WorkflowFactory | None,
    counters: Counters,
) -> Job:
    """Validate ``config`` against ``spec`` and build the job's workflow.

    Raises ``JobConfigError`` (or whatever the factory raises) with a reason.
    Unknown params fields are ignored; the job's heartbeat names them, and what
    the workflow substitutes for a param it cannot honour (``config_warning``).
    """
    source = config.job_id.source_name
    if source not in spec.source_names:
        raise JobConfigError(
            f"source {source!r} is not one of {', '.join(spec.source_names)}"
        )
    schedule_problem = config.schedule.problem()
    if schedule_problem is not None:
        raise JobConfigError(schedule_problem)
    parsed = spec.parse_params(config.params)
    params = parsed.model
    aux_streams = resolve_aux_streams(spec, config)
    if factory is None:
        raise JobConfigError(f"workflow {spec.workflow_id} has no factory attached")

    if not spec.data_input and config.schedule.start_time is not None:
        raise JobConfigError(
            f"workflow {spec.workflow_id} reads no data: it computes when it "
            "starts, so a start time does not apply"
        )
    if not spec.data_input and config.schedule.end_time is not None:
        raise JobConfigError(
            f"workflow {spec.workflow_id} reads no data: stop its job instead "
            "of giving an end time"
        )
    # A workflow without data input reads no stream of its source's name.
    inputs = {spec.primary_stream(source): source} if spec.data_input else {}
    for role, stream in aux_streams.items():
        if stream in inputs:
            raise JobConfigError(
                f"aux input {role!r}: stream {stream!r} is already an input"
            )
        inputs[stream] = role
    if spec.accepts_roi:
        for shape in ROI_SHAPES:
            inputs[roi_stream_name(config, shape)] = shape

    context = WorkflowContext(
        instrument=spec.instrument,
        job_id=config.job_id,
        params=params,
        aux_source_names=aux_streams,
    )
    workflow = factory(context)
    notes = [text for text in (parsed.warning(), config_warning(workflow)) if text]
    required = frozenset(role for role, aux in spec.aux_inputs.items() if aux.required)
    return Job(
        job_id=config.job_id,
        workflow_id=spec.workflow_id,
        workflow=workflow,
        inputs=inputs,
        schedule=config.schedule,
        required_keys=required,
        counters=counters,
        config_warning="; ".join(notes) or None,
        ignored_params=parsed.ignored,
        data_input=spec.data_input,
    )
