"""The plot wizard (D16) and stacked layers (D13) without a browser: three
steps, plotters filtered by the output's template, correlation axes on offer,
static overlays through the synthetic static workflow, an invalid stack
refused with the registry's reason, edits opened at step three."""

import pytest
from bokeh.models import Span

from livedata.control.data_service import DataService
from livedata.instruments.grid import (
    GridTemplate,
    load_grid_templates,
    static_workflow_id,
    validate_against_specs,
)
from livedata.plots.page import SessionPage
from livedata.plots.server import ServeOptions, build_context

from .helpers import Publisher, spectrum

STATIC = static_workflow_id("dummy")


@pytest.fixture
def ctx(tmp_path):
    return build_context("dummy", None, DataService(), ServeOptions(state_dir=tmp_path))


def add(page):
    page.add_toggle.value = True
    return page.wizard


def cell_titled(page, title):
    return next(i for i, c in enumerate(page.grid.cells) if c.title == title)


def test_a_static_overlay_stacks_on_a_line_plot_and_is_drawn_on_its_figure(ctx):
    page = SessionPage(ctx)
    wizard = add(page)
    wizard.workflow.value = STATIC
    assert wizard.output.options == ["hlines", "rectangles", "vlines"]
    wizard.output.value = "vlines"
    wizard.go(2)
    assert wizard.plotter.options == ["vlines"]
    wizard.go(3)
    wizard.form.widgets["positions"].value = "10, 35.5"
    wizard.form.widgets["label"].value = "chopper"
    spectrum_cell = cell_titled(page, "Panel 0 spectrum, latest window")
    wizard.target.value = spectrum_cell
    assert wizard.finish() is None
    layers = page.grid.cells[spectrum_cell].layers
    assert [str(v.plotter) for v in layers] == ["lines", "vlines"]
    assert layers[1].workflow_id == STATIC
    assert layers[1].plotter_params == {"positions": [10.0, 35.5], "label": "chopper"}
    view = page.cells[spectrum_cell]
    figure = view.layers[0].presenter.model
    spans = [m for m in figure.center if isinstance(m, Span)]
    assert sorted(s.location for s in spans) == [10.0, 35.5]
    assert validate_against_specs([page.grid], "dummy") == []


def test_an_invalid_stack_is_refused_with_the_registry_reason(ctx):
    page = SessionPage(ctx)
    wizard = add(page)
    wizard.workflow.value = STATIC
    wizard.output.value = "hlines"
    wizard.go(3)
    wizard.form.widgets["positions"].value = "1"
    wizard.target.value = 0  # the detector image
    problem = wizard.finish()
    assert "hlines cannot stack on image; on image may stack: roi_readback" in problem
    assert "hlines cannot stack" in wizard.message.object  # shown in the page
    assert len(page.grid.cells[0].layers) == 3  # nothing saved
    wizard.form.widgets["positions"].value = "1, x"
    assert "positions" in wizard.finish()


def test_a_saved_grid_with_a_bad_stack_shows_why_and_draws_the_base(ctx):
    grid = ctx.templates["dummy_overview"]
    image_cell = grid.cells[0]
    # roi_request without the readback below it: the registry refuses.
    broken = image_cell.model_copy(
        update={"layers": (image_cell.layers[0], image_cell.layers[2])}
    )
    ctx.store.save(
        GridTemplate.model_validate(
            {**grid.model_dump(mode="json"), "cells": [broken.model_dump(mode="json")]}
        )
    )
    page = SessionPage(ctx)
    view = page.cells[0]
    assert "roi_request needs a roi_readback layer below it" in view.message.object
    assert view.request is None and len(view.layers) == 1


def test_a_correlation_plot_offers_the_axes_and_their_bins(ctx):
    Publisher(ctx.data).publish(
        "dummy/monitor_histogram/2", "monitor1", 0, current=spectrum([1, 2])
    )
    page = SessionPage(ctx)
    wizard = add(page)
    wizard.workflow.value = "dummy/panel_0_xy/2"
    wizard.output.value = "counts_total"
    wizard.go(2)
    wizard.plotter.value = "correlation"
    assert wizard.x_axis.visible and wizard.y_axis.visible
    refs = set(wizard.x_axis.options.values())
    assert refs == {
        "dummy/timeseries_data/2:timeseries:motion1",
        "dummy/timeseries_data/2:timeseries:motion2",
    }
    wizard.x_axis.value = "dummy/timeseries_data/2:timeseries:motion1"
    wizard.y_axis.value = "dummy/timeseries_data/2:timeseries:motion2"
    wizard.go(3)
    assert "x_axis" not in wizard.form.widgets  # chosen at step two
    assert wizard.form.widgets["x_start"].value == -100.0  # motion1's valid range
    assert wizard.form.widgets["y_stop"].value == 180.0  # motion2's
    wizard.form.widgets["x_bins"].value = 8
    wizard.geometry["row"].value = 3
    assert wizard.finish() is None
    assert page.grid.cells[-1].title == "counts_total against motion1, motion2"
    layer = page.grid.cells[-1].layers[0]
    assert str(layer.plotter) == "correlation"
    assert layer.plotter_params["x_axis"].endswith(":motion1")
    assert layer.plotter_params["x_bins"] == 8
    assert layer.plotter_params["y_start"] == -180.0


def test_editing_a_cell_opens_step_three_filled_and_back_leads_to_the_plotter(ctx):
    page = SessionPage(ctx)
    spectrum_cell = cell_titled(page, "Panel 0 spectrum, latest window")
    view = page.cells[spectrum_cell]
    view.settings_toggle.value = True
    wizard = view.wizard
    assert wizard.step == 3
    assert (wizard.workflow.value, wizard.output.value, wizard.plotter.value) == (
        "dummy/panel_0_xy/2",
        "spectrum_current",
        "lines",
    )
    assert wizard.sources.value == ["panel_0"]
    assert wizard.title.value == "Panel 0 spectrum, latest window"
    wizard.go(2)
    wizard.plotter.value = "bars"
    wizard.go(3)
    wizard.title.value = "as bars"
    assert view.apply() is None
    edited = page.grid.cells[spectrum_cell]
    assert str(edited.layers[0].plotter) == "bars" and edited.title == "as bars"
    again = SessionPage(build_context(
        "dummy", None, DataService(), ServeOptions(state_dir=ctx.store.path.parents[1])
    ))  # fmt: skip
    assert again.grid.cells[spectrum_cell].title == "as bars"  # saved


def test_a_new_image_of_a_view_that_takes_rois_gets_the_roi_layers(ctx):
    page = SessionPage(ctx)
    wizard = add(page)
    wizard.workflow.value = "dummy/panel_0_logical/1"
    wizard.output.value = "current"
    wizard.go(2)
    assert wizard.roi.visible and wizard.roi.value
    wizard.go(3)
    wizard.geometry["row"].value = 3
    assert wizard.finish() is None
    cell = page.grid.cells[-1]
    assert [str(v.plotter) for v in cell.layers] == [
        "image",
        "roi_readback",
        "roi_request",
    ]
    assert page.cells[-1].request.unit is None  # the logical view is in pixels
    # A view without ROIs is not offered them.
    wizard = add(page)
    wizard.workflow.value = "dummy/panel_0_layers/1"
    wizard.output.value = "current"
    wizard.go(2)
    assert not wizard.roi.visible


def test_the_shipped_dummy_template_still_validates_with_its_roi_layers():
    (template,) = load_grid_templates("dummy")
    assert validate_against_specs([template], "dummy") == []
    assert [str(v.plotter) for v in template.cells[0].layers] == [
        "image",
        "roi_readback",
        "roi_request",
    ]
    lines = template.cells[1].layers[0].model_dump(mode="json")
    wrong = {**lines, "workflow_id": STATIC, "output": "lines", "plotter": "vlines"}
    broken = GridTemplate.model_validate(
        {
            "name": "t",
            "title": "T",
            "nrows": 1,
            "ncols": 1,
            "cells": [{"row": 0, "col": 0, "layers": [lines, wrong]}],
        }
    )
    (problem,) = validate_against_specs([broken], "dummy")
    assert "a static layer draws one of hlines, rectangles, vlines" in problem


def test_an_overlay_alone_in_a_saved_cell_is_refused_not_drawn(ctx):
    grid = ctx.templates["dummy_overview"]
    lonely = {
        "row": 0,
        "col": 0,
        "layers": [
            {
                "workflow_id": STATIC,
                "output": "vlines",
                "source_names": ["static"],
                "plotter": "vlines",
                "plotter_params": {"positions": [1.0]},
            }
        ],
    }
    ctx.store.save(
        GridTemplate.model_validate({**grid.model_dump(mode="json"), "cells": [lonely]})
    )
    page = SessionPage(ctx)
    (view,) = page.cells
    assert "vlines cannot be a cell's first layer" in view.message.object
    assert view.layers == [] and ctx.updater.feeds() == ()
    page.tick()  # nothing to draw, nothing breaks


def test_rois_drawn_while_the_editor_is_open_are_kept_by_apply(ctx):
    page = SessionPage(ctx)
    view = page.cells[0]
    view.settings_toggle.value = True
    view.request.quads.data = {
        "left": [-0.2], "right": [0.1], "bottom": [-0.1], "top": [0.3],
        "color": ["#888888"],
    }  # fmt: skip
    view.wizard.form.widgets["colormap"].value = "magma"
    assert view.apply() is None
    request = page.grid.cells[0].layers[2].plotter_params
    assert request["rectangles"] == [[-0.2, 0.1, -0.1, 0.3]]
    assert page.cells[0].request.quads.data["left"] == [-0.2]  # redrawn with it
