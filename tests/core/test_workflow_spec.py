"""Specs, output templates and the two-phase workflow registry."""

import pytest
from pydantic import BaseModel, Field, ValidationError

from livedata.core.workflow_spec import (
    CoordTemplate,
    OutputTemplate,
    WorkflowRegistry,
    WorkflowSpec,
)


class Params(BaseModel):
    bins: int = Field(default=100, ge=1)


def make_spec(name: str = "thing") -> WorkflowSpec:
    return WorkflowSpec(
        instrument="dummy",
        name=name,
        namespace="monitor_data",
        title="Thing",
        source_names=("monitor1",),
        outputs={"cumulative": OutputTemplate(title="c", dims=("toa",), unit="counts")},
        params=Params,
    )


def test_output_template_builds_an_empty_dataarray_with_declared_structure():
    template = OutputTemplate(
        title="image",
        dims=("y", "x"),
        unit="counts",
        shape=(4, 3),
        coords={"x": CoordTemplate(("x",), "m", bin_edges=True)},
    )
    da = template.to_dataarray()
    assert da.dims == ("y", "x")
    assert da.shape == (4, 3)
    assert str(da.unit) == "counts"
    assert da.coords["x"].shape == (4,)
    assert str(da.coords["x"].unit) == "m"


def test_params_validate_with_defaults_and_reject_bad_values():
    spec = make_spec()
    assert spec.validate_params({}).bins == 100
    with pytest.raises(ValidationError):
        spec.validate_params({"bins": 0})


def test_registry_two_phase():
    registry = WorkflowRegistry()
    spec = registry.register(make_spec())
    assert spec.workflow_id in registry
    assert registry.get_factory(spec.workflow_id) is None

    @registry.factory(spec)
    def build(context):
        return context

    assert registry.get_factory(spec.workflow_id) is build
    with pytest.raises(ValueError, match="twice"):
        registry.register(make_spec())
    with pytest.raises(KeyError):
        registry.attach_factory(make_spec(name="other").workflow_id, build)
