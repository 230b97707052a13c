"""Every declared output (G7) of every dummy workflow appears with its dims and unit.

Each workflow is built by its registered factory, fed data of the kind its service
delivers, and finalized; the result is checked against the spec's OutputTemplates
for that job (``outputs_for(params, source)``), with default and non-default params.
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
        if "roi_rectangle" not in spec.outputs:  # a view without ROIs (layers)
            return {source: (detector_events(rng),)}
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


def finalized(
    spec: WorkflowSpec, source: str, params: dict | None = None
) -> dict[str, sc.DataArray]:
    context = WorkflowContext(
        instrument="dummy",
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        params=spec.validate_params(params or {}),
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
    templates = spec.outputs_for({}, source)
    assert set(outputs) == set(templates) == set(spec.outputs)
    for name, template in templates.items():
        check_output(name, template, outputs[name])


NON_DEFAULT = [
    ("panel_0_xy", {"coordinate_mode": "wavelength"}),
    ("panel_0_xy", {"coordinate_mode": "time_of_flight"}),
    (
        "panel_0_logical",
        {
            "coordinate_mode": "wavelength",
            "wavelength_edges": {
                "start": 0.1,
                "stop": 1.0,
                "num_bins": 7,
                "unit": "nm",
            },
        },
    ),
    ("panel_0_xy", {"toa_edges": {"stop": 71400, "num_bins": 20, "unit": "us"}}),
    ("monitor_histogram", {"coordinate_mode": "wavelength"}),
    ("monitor_histogram", {"toa_edges": {"stop": 0.0714, "unit": "s"}}),
]


@pytest.mark.parametrize(("name", "params"), NON_DEFAULT)
def test_templates_follow_the_params_of_the_job(name, params):
    spec = SPECS[name]
    source = spec.source_names[0]
    outputs = finalized(spec, source, params)
    templates = spec.outputs_for(params, source)
    for output, template in templates.items():
        check_output(output, template, outputs[output])
    mode = params.get("coordinate_mode", "time_of_arrival")
    assert (
        mode
        in outputs[
            "cumulative" if name == "monitor_histogram" else "spectrum_current"
        ].dims
    )


def test_wavelength_templates_name_the_dim_and_unit_the_job_publishes():
    templates = SPECS["panel_0_xy"].outputs_for({"coordinate_mode": "wavelength"})
    spectrum = templates["spectrum_current"]
    assert spectrum.dims == ("wavelength",)
    assert spectrum.coords["wavelength"].unit == "angstrom"
    assert spectrum.shape == (100,)
    # The default templates still describe the default mode, as before.
    default = SPECS["panel_0_xy"].outputs["spectrum_current"]
    assert default.dims == ("time_of_arrival",)
    assert default.coords["time_of_arrival"].unit == "ms"


def test_timeseries_templates_carry_the_unit_of_the_log_registry():
    spec = SPECS["timeseries_data"]
    assert spec.outputs_for({}, "motion1")["timeseries"].unit == "mm"
    assert spec.outputs_for({}, "motion2")["latest"].unit == "deg"
    # motion1 and motion2 differ, so a template for no particular source cannot say.
    assert spec.outputs["timeseries"].unit is None


def test_templates_for_invalid_params_raise_like_validation():
    with pytest.raises(ValueError, match="unit"):
        SPECS["panel_0_xy"].outputs_for({"toa_edges": {"stop": 5, "unit": "m"}})


@pytest.mark.parametrize(("spec", "source"), CASES)
def test_templates_build_empty_arrays_of_the_same_structure(spec, source):
    for name, template in spec.outputs.items():
        empty = template.to_dataarray()
        assert empty.dims == template.dims, name
        assert set(empty.coords) == set(template.coords), name
