"""Grid templates (F6): a default plot layout per instrument, read from YAML.

Each instrument may ship ``instruments/<name>/grid.yaml`` with ``templates:``, a
list of grids whose cells stack layers (workflow output + plotter). The models
here check the geometry (cells inside the grid, no overlap) when loading;
``validate_against_specs`` checks the content against the workflow specs, so a
renamed output or source breaks a test rather than a control-room screen.

Import-light on purpose (pydantic and the config loader only): the console
imports this to offer templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config.loader import ConfigError, load_config
from ..core.identifiers import WorkflowId
from ..core.validation import validation_problems

if TYPE_CHECKING:
    from ..core.workflow_spec import OutputTemplate, WorkflowSpec
    from .instrument import Instrument

GRID_NAMESPACE = "grid"
# Dims whose entries are separate curves of a ``lines`` plot (one per ROI).
CURVE_DIMS = frozenset({"roi"})
TIME_DIM = "time"
# The synthetic workflow of static overlays (D13, D16): layers drawn from their
# params only. ``{instrument}/static_overlay/1``, source ``static``, one output
# per static plotter; no service runs it.
STATIC_WORKFLOW_NAME = "static_overlay"
STATIC_SOURCE = "static"
ROI_OUTPUTS = {"roi_rectangle": ("bounds",), "roi_polygon": ("vertex",)}


class Plotter(StrEnum):
    """How a layer draws its output; each needs a certain dimensionality."""

    IMAGE = "image"
    LINES = "lines"
    TIMESERIES = "timeseries"
    TABLE = "table"
    BARS = "bars"
    SLICER = "slicer"
    NUMBER = "number"
    CORRELATION = "correlation"  # a 0-d output against 1 or 2 others (D14)
    ROI_READBACK = "roi_readback"  # the ROIs a detector view applied (D12)
    ROI_REQUEST = "roi_request"  # the editable ROIs, published on change
    VLINES = "vlines"  # static overlays from params (D13)
    HLINES = "hlines"
    RECTANGLES = "rectangles"


STATIC_PLOTTERS = frozenset({Plotter.VLINES, Plotter.HLINES, Plotter.RECTANGLES})
ROI_PLOTTERS = frozenset({Plotter.ROI_READBACK, Plotter.ROI_REQUEST})


def static_workflow_id(instrument: str) -> str:
    """The id of an instrument's synthetic static-overlay workflow."""
    return f"{instrument}/{STATIC_WORKFLOW_NAME}/1"


def is_static_workflow(workflow_id: str) -> bool:
    parts = workflow_id.split("/")
    return len(parts) == 3 and parts[1] == STATIC_WORKFLOW_NAME


_PLOTTER_NEEDS = {
    Plotter.IMAGE: "a 2-d output",
    Plotter.LINES: "a 1-d output (or 2-d with one of: roi)",
    Plotter.TIMESERIES: "a 0-d output or one with a 'time' dim",
    Plotter.TABLE: "a 0-d output or one with a 'time' dim",
    Plotter.BARS: "a 0-d or 1-d output",
    Plotter.SLICER: "an output of 3 or more dims",
    Plotter.NUMBER: "a 0-d output",
    Plotter.CORRELATION: "a 0-d output",
    Plotter.ROI_READBACK: "an ROI output (roi_rectangle or roi_polygon)",
    Plotter.ROI_REQUEST: "an ROI output (roi_rectangle or roi_polygon)",
    Plotter.VLINES: "the static overlay workflow's vlines",
    Plotter.HLINES: "the static overlay workflow's hlines",
    Plotter.RECTANGLES: "the static overlay workflow's rectangles",
}


def plotter_accepts(plotter: Plotter, dims: Sequence[str]) -> bool:
    """Whether ``plotter`` can draw an output with these dims."""
    ndim = len(dims)
    if plotter is Plotter.IMAGE:
        return ndim == 2
    if plotter is Plotter.LINES:
        return ndim == 1 or (ndim == 2 and bool(CURVE_DIMS & set(dims)))
    if plotter in (Plotter.TIMESERIES, Plotter.TABLE):
        return ndim == 0 or TIME_DIM in dims
    if plotter is Plotter.SLICER:
        return ndim >= 3
    if plotter in (Plotter.NUMBER, Plotter.CORRELATION):
        return ndim == 0
    if plotter in ROI_PLOTTERS:
        return tuple(dims) in ROI_OUTPUTS.values()
    if plotter in STATIC_PLOTTERS:
        return False  # no workflow output: the static workflow's own
    return ndim <= 1  # bars


class _Frozen(BaseModel):
    # extra="forbid" so a misspelt or old-format key fails loudly.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Layer(_Frozen):
    """One workflow output drawn in a cell; ``workflow_params`` follow its spec."""

    workflow_id: str
    output: str
    source_names: tuple[str, ...] = Field(min_length=1)
    aux_source_names: dict[str, str] = Field(default_factory=dict)
    plotter: Plotter
    plotter_params: dict[str, Any] = Field(default_factory=dict)
    workflow_params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _workflow_id_form(self) -> Layer:
        WorkflowId.parse_str(self.workflow_id)  # ValueError names the bad id
        return self

    @property
    def parsed_workflow_id(self) -> WorkflowId:
        return WorkflowId.parse_str(self.workflow_id)


class Cell(_Frozen):
    """A rectangle of the grid (top-left ``row``/``col`` and spans) with layers."""

    row: int = Field(ge=0)
    col: int = Field(ge=0)
    row_span: int = Field(default=1, ge=1)
    col_span: int = Field(default=1, ge=1)
    title: str = ""
    layers: tuple[Layer, ...] = Field(min_length=1)

    def covers(self) -> set[tuple[int, int]]:
        return {
            (r, c)
            for r in range(self.row, self.row + self.row_span)
            for c in range(self.col, self.col + self.col_span)
        }

    def label(self) -> str:
        return f"cell ({self.row}, {self.col}) {self.title!r}"


class GridTemplate(_Frozen):
    """A named layout of ``nrows`` x ``ncols``; cells may leave gaps, never overlap."""

    name: str = Field(min_length=1)
    title: str
    nrows: int = Field(ge=1)
    ncols: int = Field(ge=1)
    cells: tuple[Cell, ...] = ()

    @model_validator(mode="after")
    def _cells_fit_without_overlap(self) -> GridTemplate:
        owner: dict[tuple[int, int], Cell] = {}
        for cell in self.cells:
            if (
                cell.row + cell.row_span > self.nrows
                or cell.col + cell.col_span > self.ncols
            ):
                raise ValueError(
                    f"{cell.label()} with span {cell.row_span}x{cell.col_span} "
                    f"does not fit the {self.nrows}x{self.ncols} grid"
                )
            for square in sorted(cell.covers()):
                other = owner.get(square)
                if other is not None:
                    raise ValueError(
                        f"{cell.label()} overlaps {other.label()} at {square}"
                    )
                owner[square] = cell
        return self


class GridFile(_Frozen):
    """The ``grid`` config namespace: templates with unique names."""

    templates: tuple[GridTemplate, ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> GridFile:
        names = [t.name for t in self.templates]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"template names used twice: {', '.join(repeated)}")
        return self


def load_grid_templates(instrument: str, env: str | None = None) -> list[GridTemplate]:
    """The instrument's templates (``[]`` if it ships none); ``ConfigError`` if bad."""
    raw = load_config(GRID_NAMESPACE, env, instrument=instrument)
    try:
        return list(GridFile.model_validate(raw).templates)
    except ValidationError as error:
        raise ConfigError(f"grid templates of {instrument}: {error}") from None


def validate_against_specs(
    templates: Iterable[GridTemplate], instrument: str | Instrument
) -> list[str]:
    """One line per layer problem: workflow, output, sources, aux, params, plotter.

    ``instrument`` is a name (its specs are imported, light) or an ``Instrument``.
    """
    if isinstance(instrument, str):
        from .registry import get_instrument

        instrument = get_instrument(instrument)
    errors: list[str] = []
    for template in templates:
        for cell in template.cells:
            for index, layer in enumerate(cell.layers):
                where = f"{template.name}: {cell.label()} layer {index}"
                errors.extend(
                    f"{where}: {problem}"
                    for problem in _layer_problems(layer, instrument)
                )
    return errors


def _layer_problems(layer: Layer, instrument: Instrument) -> list[str]:
    wid = layer.parsed_workflow_id
    if wid.name == STATIC_WORKFLOW_NAME:
        return _static_problems(layer, instrument.name)
    spec = instrument.workflows.spec(wid) if wid.instrument == instrument.name else None
    if spec is None:
        return [f"unknown workflow {wid} for {instrument.name}"]
    problems = []
    output = spec.outputs.get(layer.output)
    if output is None:
        problems.append(
            f"output {layer.output!r} is not declared by {wid}; "
            f"declared: {', '.join(spec.outputs)}"
        )
    else:
        problems.extend(_plotter_problems(layer, output))
    if layer.plotter in ROI_PLOTTERS and not spec.accepts_roi:
        problems.append(
            f"{wid} takes no ROIs; {layer.plotter.value} needs one that does"
        )
    unknown = [s for s in layer.source_names if s not in spec.source_names]
    if unknown:
        problems.append(
            f"source {', '.join(unknown)} not in {wid}; "
            f"valid: {', '.join(spec.source_names)}"
        )
    problems.extend(_aux_problems(layer.aux_source_names, spec))
    problems.extend(_params_problems(layer.workflow_params, spec))
    return problems


def _static_problems(layer: Layer, instrument: str) -> list[str]:
    """A static layer names its plotter as output; its params are checked by
    the overlay registry (``livedata.control.overlays``) where it is drawn."""
    problems = []
    if layer.workflow_id != static_workflow_id(instrument):
        problems.append(
            f"static overlays belong to {static_workflow_id(instrument)}, "
            f"not {layer.workflow_id}"
        )
    if layer.plotter not in STATIC_PLOTTERS or layer.output != layer.plotter.value:
        kinds = ", ".join(sorted(p.value for p in STATIC_PLOTTERS))
        problems.append(
            f"a static layer draws one of {kinds} with the output of the same "
            f"name; got output {layer.output!r} with plotter {layer.plotter.value}"
        )
    return problems


def _plotter_problems(layer: Layer, output: OutputTemplate) -> list[str]:
    if plotter_accepts(layer.plotter, output.dims):
        return []
    return [
        f"plotter {layer.plotter.value} needs {_PLOTTER_NEEDS[layer.plotter]}; "
        f"output {layer.output!r} has dims {output.dims}"
    ]


def _aux_problems(aux: Mapping[str, str], spec: WorkflowSpec) -> list[str]:
    problems = []
    for role, stream in aux.items():
        declared = spec.aux_inputs.get(role)
        if declared is None:
            problems.append(
                f"unknown aux role {role!r} for {spec.workflow_id}; "
                f"valid: {', '.join(spec.aux_inputs) or 'none'}"
            )
        elif declared.choices and stream not in declared.choices:
            problems.append(
                f"aux {role}={stream!r} is not one of {', '.join(declared.choices)}"
            )
    return problems


def _params_problems(params: Mapping[str, Any], spec: WorkflowSpec) -> list[str]:
    # Models without extra="forbid" would ignore a misspelt key; catch it here.
    if spec.params is not None:
        unknown = [k for k in params if k not in spec.params.model_fields]
        if unknown:
            return [
                f"unknown workflow param {', '.join(unknown)} for {spec.workflow_id}"
            ]
    try:
        spec.validate_params(params)
    except ValidationError as error:
        reasons = validation_problems(error, "params")
        return [f"workflow_params rejected by {spec.workflow_id}: {reasons}"]
    except ValueError as error:
        return [f"workflow_params rejected: {error}"]
    return []
