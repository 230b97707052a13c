"""Grid templates (F6): every instrument's grid.yaml loads and matches its specs;
each geometry and spec rule is shown on a small template and spec made here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from livedata.config import ConfigError
from livedata.core.workflow_spec import (
    AuxInput,
    OutputTemplate,
    WorkflowRegistry,
    WorkflowSpec,
)
from livedata.instruments import available_instruments
from livedata.instruments.grid import (
    Cell,
    GridTemplate,
    Layer,
    Plotter,
    load_grid_templates,
    plotter_accepts,
    validate_against_specs,
)
from livedata.instruments.instrument import Instrument
from livedata.kafka.stream_mapping import StreamMapping


@pytest.fixture(autouse=True)
def shipped_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEDATA_CONFIG_DIR", raising=False)
    monkeypatch.delenv("LIVEDATA_ENV", raising=False)


# --- shipped templates ------------------------------------------------------


@pytest.mark.parametrize("name", available_instruments())
def test_shipped_grid_templates_match_the_instrument_specs(name: str) -> None:
    templates = load_grid_templates(name)
    assert templates, f"{name} ships no grid template"
    assert validate_against_specs(templates, name) == []


def test_dummy_grid_shows_image_spectra_monitors_motion_and_counts() -> None:
    [template] = load_grid_templates("dummy")
    shown = {
        (layer.workflow_id, layer.output, layer.plotter)
        for cell in template.cells
        for layer in cell.layers
    }
    assert ("dummy/panel_0_xy/2", "cumulative", Plotter.IMAGE) in shown
    assert ("dummy/panel_0_xy/2", "roi_spectra_current", Plotter.LINES) in shown
    assert ("dummy/panel_0_xy/2", "spectrum_current", Plotter.LINES) in shown
    assert ("dummy/monitor_histogram/2", "current", Plotter.LINES) in shown
    assert ("dummy/timeseries_data/2", "timeseries", Plotter.TIMESERIES) in shown
    assert ("dummy/total_counts/2", "total_counts", Plotter.TIMESERIES) in shown


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_instrument_without_grid_file_gets_the_empty_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "defaults/grid.yaml", "templates: []\n")
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(tmp_path))
    assert load_grid_templates("nowhere") == []


def test_old_format_keys_are_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "defaults/grid.yaml", "templates: []\n")
    _write(
        tmp_path,
        "instruments/old/grid.yaml",
        "templates:\n  - {name: t, title: T, grid: {rows: 1, cols: 1}, cells: []}\n",
    )
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="grid templates of old"):
        load_grid_templates("old")


def test_template_names_must_be_unique(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "defaults/grid.yaml", "templates: []\n")
    one = "  - {name: same, title: T, nrows: 1, ncols: 1}\n"
    _write(tmp_path, "instruments/twice/grid.yaml", "templates:\n" + one + one)
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="used twice: same"):
        load_grid_templates("twice")


# --- geometry ---------------------------------------------------------------


def _layer(**overrides: Any) -> dict[str, Any]:
    layer = {
        "workflow_id": "toy/view/1",
        "output": "image",
        "source_names": ["det"],
        "plotter": "image",
    }
    return {**layer, **overrides}


def _cell(row: int, col: int, **overrides: Any) -> dict[str, Any]:
    return {"row": row, "col": col, "layers": [_layer()], **overrides}


def _template(*cells: dict[str, Any], nrows: int = 2, ncols: int = 2) -> GridTemplate:
    return GridTemplate.model_validate(
        {"name": "t", "title": "T", "nrows": nrows, "ncols": ncols, "cells": cells}
    )


def test_cells_tiling_the_grid_with_spans_are_accepted() -> None:
    template = _template(
        _cell(0, 0, row_span=2), _cell(0, 1), _cell(1, 1), nrows=2, ncols=2
    )
    assert [c.row_span for c in template.cells] == [2, 1, 1]
    assert template.cells[1].layers[0].plotter is Plotter.IMAGE


@pytest.mark.parametrize(
    "cell",
    [_cell(2, 0), _cell(0, 2), _cell(1, 0, row_span=2), _cell(0, 1, col_span=2)],
)
def test_cell_outside_the_grid_is_rejected(cell: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="does not fit the 2x2 grid"):
        _template(cell)


def test_overlapping_cells_are_rejected() -> None:
    with pytest.raises(ValidationError, match=r"overlaps cell \(0, 0\)"):
        _template(_cell(0, 0, col_span=2), _cell(0, 1))


@pytest.mark.parametrize(
    "bad",
    [
        {"layers": []},
        {"row_span": 0},
        {"row": -1},
        {"layers": [_layer(plotter="scatter")]},
        {"layers": [_layer(workflow_id="toy/view")]},
        {"layers": [_layer(source_names=[])]},
        {"layers": [_layer(sources=["det"])]},
    ],
)
def test_malformed_cells_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Cell.model_validate({"row": 0, "col": 0, "layers": [_layer()], **bad})


# --- against specs ------------------------------------------------------------


class ToyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bins: int = Field(default=10, ge=1)


class LenientParams(BaseModel):
    """No extra="forbid": an unknown key must still be reported."""

    bins: int = 10


def _toy_instrument(params: type[BaseModel] = ToyParams) -> Instrument:
    registry = WorkflowRegistry()
    registry.register(
        WorkflowSpec(
            instrument="toy",
            name="view",
            namespace="data_reduction",
            title="View",
            source_names=("det", "det2"),
            outputs={
                "image": OutputTemplate("Image", ("y", "x"), "counts"),
                "spectrum": OutputTemplate("Spectrum", ("tof",), "counts"),
                "roi_spectra": OutputTemplate("ROI", ("roi", "tof"), "counts"),
                "total": OutputTemplate("Total", (), "counts"),
                "history": OutputTemplate("History", ("time",), "K"),
                "cube": OutputTemplate("Cube", ("a", "b", "c"), "counts"),
            },
            params=params,
            aux_inputs={"monitor": AuxInput("Monitor", choices=("mon1", "mon2"))},
        )
    )
    registry.register(
        WorkflowSpec(
            instrument="toy",
            name="plain",
            namespace="data_reduction",
            title="Plain",
            source_names=("det",),
            outputs={"total": OutputTemplate("Total", (), "counts")},
        )
    )
    return Instrument(
        name="toy",
        title="Toy",
        workflows=registry,
        dev_streams=StreamMapping("toy"),
        prod_streams=StreamMapping("toy"),
    )


def _errors(instrument: Instrument | None = None, **layer: Any) -> list[str]:
    template = _template({"row": 0, "col": 0, "layers": [_layer(**layer)]})
    return validate_against_specs([template], instrument or _toy_instrument())


def test_a_layer_matching_its_spec_has_no_errors() -> None:
    assert (
        _errors(
            source_names=["det", "det2"],
            aux_source_names={"monitor": "mon2"},
            workflow_params={"bins": 5},
            plotter_params={"color_scale": "log"},
        )
        == []
    )


def test_unknown_workflow_is_reported() -> None:
    [error] = _errors(workflow_id="toy/nothing/1")
    assert "t: cell (0, 0)" in error
    assert "unknown workflow toy/nothing/1 for toy" in error


def test_workflow_of_another_instrument_is_unknown() -> None:
    [error] = _errors(workflow_id="other/view/1")
    assert "unknown workflow other/view/1" in error


def test_undeclared_output_is_reported() -> None:
    [error] = _errors(output="histogram")
    assert "output 'histogram' is not declared by toy/view/1" in error


def test_source_outside_the_spec_is_reported() -> None:
    [error] = _errors(source_names=["det", "camera"])
    assert "source camera not in toy/view/1" in error


def test_unknown_aux_role_is_reported() -> None:
    [error] = _errors(aux_source_names={"shutter": "mon1"})
    assert "unknown aux role 'shutter'" in error


def test_aux_stream_outside_its_choices_is_reported() -> None:
    [error] = _errors(aux_source_names={"monitor": "mon9"})
    assert "aux monitor='mon9' is not one of mon1, mon2" in error


def test_workflow_params_rejected_by_the_model_are_reported() -> None:
    [error] = _errors(workflow_params={"bins": 0})
    assert "workflow_params rejected by toy/view/1: bins:" in error


def test_unknown_workflow_param_is_reported_even_if_the_model_ignores_it() -> None:
    [error] = _errors(_toy_instrument(LenientParams), workflow_params={"binz": 3})
    assert "unknown workflow param binz" in error


def test_params_for_a_workflow_without_params_are_reported() -> None:
    [error] = _errors(
        workflow_id="toy/plain/1",
        output="total",
        plotter="table",
        workflow_params={"bins": 3},
    )
    assert "takes no params" in error


@pytest.mark.parametrize(
    ("plotter", "output"),
    [
        ("image", "image"),
        ("lines", "spectrum"),
        ("lines", "roi_spectra"),
        ("timeseries", "total"),
        ("timeseries", "history"),
        ("table", "total"),
        ("table", "history"),
        ("bars", "total"),
        ("bars", "spectrum"),
    ],
)
def test_plotter_fitting_the_output_dims_is_accepted(plotter: str, output: str) -> None:
    assert _errors(plotter=plotter, output=output) == []


@pytest.mark.parametrize(
    ("plotter", "output"),
    [
        ("image", "spectrum"),
        ("image", "total"),
        ("image", "cube"),
        ("lines", "image"),
        ("lines", "total"),
        ("timeseries", "spectrum"),
        ("table", "image"),
        ("bars", "image"),
    ],
)
def test_plotter_not_fitting_the_output_dims_is_reported(
    plotter: str, output: str
) -> None:
    [error] = _errors(plotter=plotter, output=output)
    assert f"plotter {plotter} needs" in error
    assert f"output {output!r} has dims" in error


def test_several_problems_of_one_layer_are_all_reported() -> None:
    errors = _errors(
        output="spectrum",
        source_names=["camera"],
        aux_source_names={"shutter": "x"},
        workflow_params={"bins": "many"},
    )
    assert len(errors) == 4  # plotter, source, aux role, params


def test_plotter_accepts_is_the_dims_rule() -> None:
    assert plotter_accepts(Plotter.IMAGE, ("y", "x"))
    assert not plotter_accepts(Plotter.LINES, ("y", "x"))
    assert plotter_accepts(Plotter.TIMESERIES, ("time", "channel"))


def test_layer_exposes_its_parsed_workflow_id() -> None:
    layer = Layer.model_validate(_layer(workflow_id="toy/view/3"))
    assert layer.parsed_workflow_id.version == 3
