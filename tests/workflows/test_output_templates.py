"""Every declared output (G7) of every dummy workflow appears with its dims and unit.

Each workflow is built by its registered factory with default params, fed data of
the kind its service delivers, and finalized; the result is checked against the
spec's OutputTemplates. Templates show the default coordinate mode.
"""

import uuid

import numpy as np
import pytest
import scipp as sc

from livedata.core.events import DetectorEvents, LogValue, MonitorEvents
from livedata.core.identifiers import JobId
from livedata.core.timestamp import Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.core.workflow_spec import OutputTemplate, WorkflowSpec
from livedata.instruments import get_instrument
from livedata.preprocessors.events import ToNXeventData
from livedata.preprocessors.nxlog import ToNXlog
from livedata.workflows.roi import (
    PolygonROI,
    RectangleROI,
    polygons_to_dataarray,
    rectangles_to_dataarray,
)

INSTRUMENT = get_instrument("dummy")
INSTRUMENT.load_factories()
SPECS = {spec.name: spec for spec in INSTRUMENT.workflows.specs()}
BASE_NS = 1_700_000_000_000_000_000


def detector_events(rng, n=5_000):
    panel = INSTRUMENT.detectors["panel_0"]
    first = panel.first_detector_number
    return DetectorEvents(
        pixel_id=rng.integers(first, first + panel.n_pixels, n).astype(np.int32),
        time_of_arrival=rng.integers(0, 71_000_000, n).astype(np.int32),
    )


def inputs_for(spec: WorkflowSpec, source: str) -> dict:
    """One batch of what the spec's service hands its jobs for ``source``."""
    rng = np.random.default_rng(7)
    if spec.name.startswith("panel_0"):
        unit = spec.outputs["roi_rectangle"].coords["x"].unit
        return {
            source: (detector_events(rng),),
            "roi_rectangle": rectangles_to_dataarray(
                [RectangleROI(0, (-0.2, 0.2), (-0.2, 0.2))], unit
            ),
            "roi_polygon": polygons_to_dataarray(
                [PolygonROI(4, (0.0, 0.3, 0.0), (0.0, 0.0, 0.3))], unit
            ),
        }
    if spec.name == "area_panel_xy":
        shape = INSTRUMENT.area_detectors[source].shape
        frame = rng.integers(0, 10, shape).astype(float)
        return {source: sc.DataArray(sc.array(dims=["dim_0", "dim_1"], values=frame))}
    if spec.name == "monitor_histogram":
        toa = rng.integers(0, 71_000_000, 1_000).astype(np.int32)
        return {source: (MonitorEvents(toa),)}
    if spec.name == "timeseries_data":
        log = ToNXlog(INSTRUMENT.log_attributes[source])
        for i in range(3):
            log.add(Timestamp(BASE_NS + i), LogValue(BASE_NS + i, float(i)))
        return {source: log.get()}
    if spec.name == "total_counts":
        acc = ToNXeventData()
        acc.add(Timestamp(BASE_NS), detector_events(rng, 100))
        return {source: acc.get()}
    raise AssertionError(f"no test inputs for {spec.name}; add them here")


def finalized(spec: WorkflowSpec, source: str) -> dict[str, sc.DataArray]:
    context = WorkflowContext(
        instrument="dummy",
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        params=spec.validate_params({}),
    )
    workflow = INSTRUMENT.workflows.get_factory(spec.workflow_id)(context)
    workflow.accumulate(
        inputs_for(spec, source), start_time=Timestamp(0), end_time=Timestamp(1)
    )
    return workflow.finalize()


def same_unit(actual: sc.Unit | None, declared: str | None) -> bool:
    if declared is None or actual is None:
        return actual is None and declared is None
    return actual == sc.Unit(declared)


def check_output(name: str, template: OutputTemplate, da: sc.DataArray) -> None:
    assert isinstance(da, sc.DataArray), name
    assert da.dims == template.dims, name
    if template.unit is not None or name not in ("timeseries", "latest"):
        # Log values keep the log's own unit; the template cannot know it.
        assert same_unit(da.unit, template.unit), (name, da.unit)
    for dim, size in zip(template.dims, template.shape or (), strict=True):
        if size is not None:
            assert da.sizes[dim] == size, f"{name}: size of {dim}"
    for coord_name, coord in template.coords.items():
        assert coord_name in da.coords, f"{name}: coord {coord_name}"
        var = da.coords[coord_name]
        assert var.dims == coord.dims, f"{name}: coord {coord_name} dims"
        assert same_unit(var.unit, coord.unit), (name, coord_name, var.unit)
        for dim in coord.dims:
            extra = 1 if coord.bin_edges else 0
            assert var.sizes[dim] == da.sizes[dim] + extra, f"{name}: {coord_name}"


CASES = [
    pytest.param(spec, source, id=f"{spec.name}-{source}")
    for spec in SPECS.values()
    for source in spec.source_names
]


@pytest.mark.parametrize(("spec", "source"), CASES)
def test_finalize_gives_every_declared_output_as_declared(spec, source):
    outputs = finalized(spec, source)
    assert set(outputs) == set(spec.outputs)
    for name, template in spec.outputs.items():
        check_output(name, template, outputs[name])


@pytest.mark.parametrize(("spec", "source"), CASES)
def test_templates_build_empty_arrays_of_the_same_structure(spec, source):
    for name, template in spec.outputs.items():
        empty = template.to_dataarray()
        assert empty.dims == template.dims, name
        assert set(empty.coords) == set(template.coords), name
