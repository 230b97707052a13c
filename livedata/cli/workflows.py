"""``livedata workflows``: what each instrument can compute, from its specs only.

Specs are phase 1 of the two-phase registration (A6): reading them imports
pydantic but never scipp or an instrument's factories, so listing is quick.
``resolve_workflow`` is shared with the commands that start jobs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..core.unit_text import readable_unit
from .common import (
    ExitCode,
    JsonOption,
    OptionalInstrumentOption,
    ParamOption,
    fail,
    new_app,
)
from .output import emit_json, print_table

if TYPE_CHECKING:
    from ..core.workflow_spec import WorkflowSpec

app = new_app("Workflows of the instruments (from their specs).")

# Every command takes --bootstrap, so a script can pass the same options to all;
# these read specs only and never ask a broker.
SpecsBootstrapOption = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        metavar="HOST:PORT",
        help="Accepted like everywhere; unused: workflows come from the specs.",
        show_default=False,
    ),
]


class UnknownWorkflow(LookupError):
    """No workflow matches a reference; ``choices`` lists the valid ids."""

    def __init__(self, message: str, choices: list[str]) -> None:
        self.choices = choices
        super().__init__(f"{message}; valid: {', '.join(choices) or 'none'}")


def all_specs(instrument: str | None = None) -> list[WorkflowSpec]:
    """Specs of one instrument, or of every instrument (sorted by id)."""
    from ..instruments import available_instruments, get_instrument

    names = [instrument] if instrument else available_instruments()
    specs = [spec for name in names for spec in get_instrument(name).workflows.specs()]
    return sorted(specs, key=lambda s: str(s.workflow_id))


def find_workflow(reference: str, instrument: str | None = None) -> WorkflowSpec:
    """The spec named by ``inst/name/ver``, ``inst/name`` (latest) or ``name``.

    A bare ``name`` is looked up in ``instrument`` (or in every instrument, if
    it is unique there). Raises :class:`UnknownWorkflow` listing the choices.
    """
    parts = reference.strip().split("/")
    if len(parts) == 3:
        inst, name, version = parts
    elif len(parts) == 2:
        (inst, name), version = parts, None
    elif len(parts) == 1:
        inst, name, version = instrument, parts[0], None
    else:
        raise UnknownWorkflow(f"bad workflow id {reference!r}", [])
    if inst and instrument and inst != instrument:
        raise UnknownWorkflow(
            f"workflow {reference!r} is not of instrument {instrument!r}",
            [str(s.workflow_id) for s in all_specs(instrument)],
        )
    specs = all_specs(inst)
    matches = [
        s
        for s in specs
        if s.name == name and (version is None or str(s.version) == version)
    ]
    if not matches:
        raise UnknownWorkflow(
            f"unknown workflow {reference!r}", [str(s.workflow_id) for s in specs]
        )
    if len({s.instrument for s in matches}) > 1:
        raise UnknownWorkflow(
            f"workflow {reference!r} exists for several instruments (use --instrument)",
            [str(s.workflow_id) for s in matches],
        )
    return max(matches, key=lambda s: s.version)


def resolve_workflow(reference: str, instrument: str | None = None) -> WorkflowSpec:
    """``find_workflow`` for commands: exit 2 with the valid choices on failure."""
    from ..instruments import UnknownInstrument

    try:
        return find_workflow(reference, instrument)
    except (UnknownWorkflow, UnknownInstrument) as err:
        fail(str(err), ExitCode.USAGE)


def complete_workflow(incomplete: str) -> list[str]:
    """Workflow ids for Tab completion (imports the specs, so only on demand)."""
    try:
        ids = [str(s.workflow_id) for s in all_specs()]
    except Exception:  # completion must never print a traceback
        return []
    return [i for i in ids if i.startswith(incomplete)]


def compatibility(spec: WorkflowSpec) -> str:
    """``facility``: the id means the same on the facility's deployed system
    (params, outputs, sources); ``livedata-only``: only livedata knows it."""
    return "facility" if spec.facility else "livedata-only"


COMPAT_TEXT = {
    "facility": "facility-compatible (same id, params, outputs and sources as "
    "the facility's deployed system)",
    "livedata-only": "livedata-only (the facility's system does not run this id)",
}


def describe_spec(
    spec: WorkflowSpec,
    params: dict[str, Any] | None = None,
    source_name: str | None = None,
) -> dict[str, Any]:
    """Everything a client needs about a workflow, as plain JSON types; the
    output templates are those of a job with ``params`` on ``source_name`` (G7)."""
    outputs = spec.outputs_for(params, source_name)
    params_schema = spec.params.model_json_schema() if spec.params else None
    try:
        defaults = spec.params().model_dump(mode="json") if spec.params else {}
    except Exception:  # a model with required fields has no defaults
        defaults = None
    return {
        "id": str(spec.workflow_id),
        "instrument": spec.instrument,
        "name": spec.name,
        "version": spec.version,
        "title": spec.title,
        "description": spec.description,
        "namespace": spec.namespace,
        "group": spec.group,
        "source_names": list(spec.source_names),
        "data_input": spec.data_input,
        "accepts_roi": spec.accepts_roi,
        "compatibility": compatibility(spec),
        "params_schema": params_schema,
        "params_defaults": defaults,
        "outputs": {
            name: {
                "title": out.title,
                "dims": list(out.dims),
                "shape": list(out.shape),
                "unit": out.unit,
                "coords": {
                    cname: {
                        "dims": list(c.dims),
                        "unit": c.unit,
                        "bin_edges": c.bin_edges,
                    }
                    for cname, c in out.coords.items()
                },
                "description": out.description,
            }
            for name, out in outputs.items()
        },
        "aux_inputs": {
            role: {
                "title": aux.title,
                "choices": list(aux.choices),
                "default": aux.default,
                "required": aux.required,
                "description": aux.description,
            }
            for role, aux in spec.aux_inputs.items()
        },
    }


@app.command("list")
def list_workflows(
    instrument: OptionalInstrumentOption = None,
    bootstrap: SpecsBootstrapOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the workflows of one instrument (or of all)."""
    del bootstrap  # see SpecsBootstrapOption
    from ..instruments import UnknownInstrument

    try:
        specs = all_specs(instrument)
    except UnknownInstrument as err:
        fail(str(err), ExitCode.USAGE)
    if as_json:
        emit_json(
            [
                {
                    "id": str(s.workflow_id),
                    "title": s.title,
                    "namespace": s.namespace,
                    "source_names": list(s.source_names),
                    "outputs": list(s.outputs),
                    "compatibility": compatibility(s),
                }
                for s in specs
            ]
        )
        return
    print_table(
        ("ID", "TITLE", "SERVICE", "SOURCES"),
        (
            (str(s.workflow_id), s.title, s.namespace, ", ".join(s.source_names))
            for s in specs
        ),
    )


def _first_line(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return " ".join(line.strip() for line in lines[:3]) if lines else repr(error)


def _shape_text(dims: tuple[str, ...], shape: tuple[int | None, ...]) -> str:
    if not dims:
        return "scalar"
    sizes = shape or (None,) * len(dims)
    return ", ".join(
        f"{d}: {s if s is not None else '?'}" for d, s in zip(dims, sizes, strict=True)
    )


@app.command("show")
def show(
    workflow: Annotated[
        str,
        typer.Argument(
            metavar="WORKFLOW",
            help="inst/name/version, inst/name (latest) or name with --instrument.",
            autocompletion=complete_workflow,
        ),
    ],
    param: ParamOption = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            metavar="SOURCE",
            help="Show the outputs of a job on this source.",
        ),
    ] = None,
    instrument: OptionalInstrumentOption = None,
    bootstrap: SpecsBootstrapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a workflow: params (JSON schema, defaults), outputs, sources, aux inputs.

    Outputs (dims, shape, unit) are those of a job with the defaults, or with
    the --param values given (e.g. a wavelength view has a wavelength axis).
    """
    import json

    from ..control.orchestrator import nest_dotted
    from .job_args import parse_assignments

    del bootstrap  # see SpecsBootstrapOption
    spec = resolve_workflow(workflow, instrument)
    if source is not None and source not in spec.source_names:
        fail(
            f"unknown source {source!r} for {spec.workflow_id}; "
            f"valid: {', '.join(spec.source_names)}",
            ExitCode.USAGE,
        )
    try:
        params = nest_dotted(parse_assignments(param or [], "--param", typed=True))
        info = describe_spec(spec, params, source)
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        fail(
            f"invalid params for {spec.workflow_id}: {_first_line(err)}", ExitCode.USAGE
        )
    if as_json:
        emit_json(info)
        return
    echo = typer.echo
    echo(f"{info['id']}  {spec.title}")
    if spec.description:
        echo(f"  {spec.description}")
    echo(f"service:  {spec.namespace}")
    echo(f"compat:   {COMPAT_TEXT[info['compatibility']]}")
    no_data = "" if spec.data_input else "  (no data stream: computed on start/reset)"
    echo(f"sources:  {', '.join(spec.source_names)}{no_data}")
    echo(f"ROI:      {'yes' if spec.accepts_roi else 'no'}")
    echo("outputs:")
    for name, out in info["outputs"].items():
        unit = (
            readable_unit(out["unit"]) if out["unit"] is not None else "dimensionless"
        )
        shape = _shape_text(tuple(out["dims"]), tuple(out["shape"]))
        echo(f"  {name:<26} [{shape}] {unit}  {out['title']}")
        if out.get("description"):
            echo(f"  {'':<26} {out['description']}")
    if spec.aux_inputs:
        echo("aux inputs:")
        for role, aux in spec.aux_inputs.items():
            choices = ", ".join(aux.choices) or "any stream"
            need = "required" if aux.required else f"default {aux.default}"
            echo(f"  {role:<26} {need}; choices: {choices}")
    if info["params_defaults"] is not None and spec.params is not None:
        echo("params (defaults):")
        for line in json.dumps(
            info["params_defaults"], indent=2, ensure_ascii=False
        ).splitlines():
            echo(f"  {line}")
        echo("  (full JSON schema: --json)")
    elif spec.params is None:
        echo("params:   none")
