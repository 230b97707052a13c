"""Plotter selection from output templates (D10), before any data arrives."""

import pytest

from livedata.core.workflow_spec import OutputTemplate
from livedata.instruments import get_instrument
from livedata.instruments.grid import Plotter, load_grid_templates
from livedata.plots.cells import composition_problem
from livedata.plots.specs import (
    Category,
    default_plotter,
    plotter,
    plotters,
    plotters_for,
)


def names(template: OutputTemplate) -> list[str]:
    return [p.name for p in plotters_for(template)]


def test_dims_decide_which_plotters_fit():
    assert names(OutputTemplate("img", ("y", "x"), "counts")) == ["image"]
    assert names(OutputTemplate("s", ("toa",), "counts")) == ["lines", "bars"]
    assert names(OutputTemplate("roi", ("roi", "toa"), "counts")) == ["lines"]
    assert names(OutputTemplate("n", (), "counts")) == [
        "timeseries",
        "bars",
        "table",
        "number",
        "correlation",
    ]
    assert names(OutputTemplate("t", ("time",), "K")) == [
        "lines",
        "timeseries",
        "bars",
        "table",
    ]
    assert names(OutputTemplate("c", ("a", "b", "c", "d"), "counts")) == ["slicer"]


def test_real_outputs_get_plotters_from_their_specs_not_their_names():
    dummy = get_instrument("dummy").workflows
    for spec in dummy.specs():
        for output, template in spec.outputs.items():
            fitting = names(template)
            assert fitting, f"{spec.workflow_id} {output} {template.dims}"
    bifrost = get_instrument("bifrost").workflows
    ratemeter = next(s for s in bifrost.specs() if s.name == "detector_ratemeter")
    assert default_plotter(ratemeter.outputs["detector_counts"]).name == "slicer"
    assert default_plotter(ratemeter.outputs["rate"]).name == "image"
    # A renamed output with the same template gets the same plotters (issue 12).
    renamed = OutputTemplate("anything", ratemeter.outputs["rate"].dims, "counts")
    assert names(renamed) == names(ratemeter.outputs["rate"])


@pytest.mark.parametrize("instrument", ["dummy", "dream", "loki", "bifrost", "tbl"])
def test_every_shipped_template_layer_has_a_fitting_registered_plotter(instrument):
    inst = get_instrument(instrument)
    for template in load_grid_templates(instrument):
        for cell in template.cells:
            assert composition_problem(cell) is None, (template.name, cell.title)
            for position, layer in enumerate(cell.layers):
                spec = inst.workflows.spec(layer.parsed_workflow_id)
                output = spec.outputs_for(layer.workflow_params)[layer.output]
                drawn = plotter(str(layer.plotter))
                if position == 0:  # the base: a data plotter that fits
                    assert drawn.name in names(output), (template.name, cell.title)
                else:  # an overlay drawn from this output
                    assert drawn.category is Category.OVERLAY
                    assert drawn.accepts(output.dims, output.shape or ())
                drawn.validate(layer.plotter_params)


def test_the_grid_plotters_are_the_registered_ones():
    assert {str(p) for p in Plotter} == {p.name for p in plotters()}


def test_params_are_validated_with_one_line_reasons():
    image = plotter("image")
    assert image.validate({"color_scale": "log"}).color_scale == "log"
    with pytest.raises(ValueError, match="color_scale"):
        image.validate({"color_scale": "cubic"})
    with pytest.raises(ValueError, match="unknown plotter 'pie'"):
        plotter("pie")
    assert {p.name for p in plotters()} >= {
        "image",
        "lines",
        "timeseries",
        "bars",
        "table",
        "slicer",
        "number",
    }
