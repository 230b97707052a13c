"""The facility's views, histograms and counters as livedata runs them: for every
claimed id of the detector and monitor services and every source, the workflow
its factory builds publishes exactly the facility's outputs, shaped as the spec
declares for that source, and counts every event it was given (issue 12)."""

from __future__ import annotations

import uuid
from functools import cache

import numpy as np
import pytest
import scipp as sc

from livedata.core.events import DetectorEvents, MonitorEvents
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.timestamp import PULSE_PERIOD, Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.instruments import get_instrument

from .peer_contract import all_workflow_ids, entry

WINDOW = {"start_time": Timestamp(0), "end_time": Timestamp(1)}
N_EVENTS = 20_000
EVENT_SERVICES = ("detector_data", "monitor_data")


def _spec(workflow_id: str):
    wid = WorkflowId.parse_str(workflow_id)
    return get_instrument(wid.instrument).workflows.spec(wid)


CASES = [
    (wid, source)
    for wid in all_workflow_ids()
    if (spec := _spec(wid)) is not None and spec.namespace in EVENT_SERVICES
    for source in spec.source_names
]


@cache
def _workflow_factory(workflow_id: str):
    wid = WorkflowId.parse_str(workflow_id)
    instrument = get_instrument(wid.instrument)
    instrument.load_factories()
    return instrument.workflows.get_factory(wid)


def build(workflow_id: str, source: str, params: dict):
    spec = _spec(workflow_id)
    context = WorkflowContext(
        spec.instrument,
        JobId(source_name=source, job_number=uuid.uuid4()),
        spec.parse_params(params).model,
    )
    return spec, _workflow_factory(workflow_id)(context)


def inputs(instrument_name: str, source: str) -> tuple[object, int]:
    """One window of input for ``source`` and the events (or counts) in it."""
    instrument = get_instrument(instrument_name)
    rng = np.random.default_rng(11)
    toa = rng.integers(0, PULSE_PERIOD.ns, N_EVENTS).astype(np.int32)
    if source in instrument.detectors:
        bank = instrument.detectors[source]
        first = bank.first_detector_number
        pixels = rng.integers(first, first + bank.n_pixels, N_EVENTS, dtype=np.int32)
        return [DetectorEvents(pixels, toa)], N_EVENTS
    if source in instrument.area_detectors:
        shape = instrument.area_detectors[source].shape
        frame = rng.poisson(0.5, shape).astype(np.float64)
        data = sc.DataArray(sc.array(dims=["dim_0", "dim_1"], values=frame))
        return data, int(frame.sum())
    if (instrument_name, source) == ("loki", "beam_monitor_m3"):  # pixelated
        pixels = rng.integers(1, 16 * 16 + 1, N_EVENTS, dtype=np.int32)
        return [MonitorEvents(toa, pixels)], N_EVENTS
    return [MonitorEvents(toa)], N_EVENTS


@pytest.mark.parametrize(("workflow_id", "source"), CASES)
def test_outputs_are_the_facilitys_and_shaped_as_declared(workflow_id, source):
    facts = entry(workflow_id)
    spec, workflow = build(workflow_id, source, facts["defaults"])
    data, n = inputs(spec.instrument, source)
    workflow.accumulate({source: data}, **WINDOW)
    out = workflow.finalize()
    assert set(out) == set(facts["outputs"])
    templates = spec.outputs_for(facts["defaults"], source)
    for name, value in out.items():
        template = templates[name]
        assert value.dims == template.dims, (name, value.dims)
        for dim, size in zip(template.dims, template.shape, strict=False):
            if size is not None:
                assert value.sizes[dim] == size, (name, dim)
    assert out["counts_total"].value == n
    assert out["counts_total_cumulative"].value == n
    assert out["counts_in_toa_range"].value == n  # the range is off by default
    if (spec.name, source) != ("mantle_front_layer", "mantle_detector"):
        assert out["cumulative"].sum().value == pytest.approx(n)


def test_the_mantle_front_layer_shows_wire_zero_only():
    _, workflow = build("dream/mantle_front_layer/1", "mantle_detector", {})
    bank = get_instrument("dream").detectors["mantle_detector"]
    wires = np.indices(bank.shape)[0].ravel()  # wire is the mantle's first dim
    numbers = bank.first_detector_number + np.arange(bank.n_pixels)
    rng = np.random.default_rng(3)
    pixels = rng.choice(numbers, N_EVENTS).astype(np.int32)
    toa = np.full(N_EVENTS, 1_000_000, dtype=np.int32)
    workflow.accumulate({"mantle_detector": [DetectorEvents(pixels, toa)]}, **WINDOW)
    out = workflow.finalize()
    front = np.count_nonzero(wires[pixels - bank.first_detector_number] == 0)
    assert 0 < front < N_EVENTS
    assert out["cumulative"].sum().value == front
    assert out["counts_total"].value == N_EVENTS


def test_a_toa_range_counts_only_the_events_inside_it():
    params = {"toa_range": {"enabled": True, "start": 10.0, "stop": 20.0, "unit": "ms"}}
    _, workflow = build("tbl/ngem_detector_view/1", "ngem_detector", params)
    toa = np.array([5, 10, 15, 19.9, 20, 60]) * 1_000_000
    pixels = np.full(toa.size, 200_001, dtype=np.int32)
    events = DetectorEvents(pixels, toa.astype(np.int32))
    workflow.accumulate({"ngem_detector": [events]}, **WINDOW)
    out = workflow.finalize()
    assert out["counts_in_toa_range"].value == 3
    assert out["counts_total"].value == 6
    assert out["cumulative"].sum().value == 3


def test_bifrost_region_counts_pick_one_arc_and_pixels_along_it():
    from livedata.instruments.bifrost import banks

    params = {"region": {"arc": "2.7 meV", "pixel_start": 100, "pixel_stop": 200}}
    _, workflow = build("bifrost/detector_ratemeter/1", "unified_detector", params)
    hits = [
        banks.detector_number(0, tube, 1, pixel)  # arc 0 (2.7 meV), channel 1
        for tube in range(3)
        for pixel in (0, 50, 99)
    ]
    misses = [
        banks.detector_number(0, 0, 0, 99),  # channel 0: pixel 99 along the arc
        banks.detector_number(0, 0, 2, 0),  # channel 2: pixel 200
        banks.detector_number(1, 0, 1, 50),  # another arc
    ]
    pixels = np.asarray(hits + misses, dtype=np.int32)
    events = DetectorEvents(pixels, np.zeros(pixels.size, dtype=np.int32))
    workflow.accumulate({"unified_detector": [events]}, **WINDOW)
    assert workflow.finalize()["detector_region_counts"].value == len(hits)
    workflow.accumulate({"unified_detector": [events]}, **WINDOW)
    out = workflow.finalize()
    assert out["detector_region_counts"].value == len(hits)
    assert out["detector_region_counts_cumulative"].value == 2 * len(hits)


def test_bifrost_spectrum_view_puts_an_event_in_its_pixel_group_and_bin():
    from livedata.instruments.bifrost import banks

    params = {
        "spectrum_params": {"pixels_per_tube": 4},
        "toa_edges": {"start": 0.0, "stop": 70.0, "num_bins": 70, "unit": "ms"},
    }
    _, workflow = build("bifrost/unified_detector_view/1", "unified_detector", params)
    pixel = banks.detector_number(arc=1, tube=2, channel=3, pixel=60)
    events = DetectorEvents(
        np.array([pixel, pixel, 0], dtype=np.int32),  # id 0 is outside
        np.array([12_500_000, 12_900_000, 5], dtype=np.int32),  # the 12-13 ms bin
    )
    workflow.accumulate({"unified_detector": [events]}, **WINDOW)
    view = workflow.finalize()["spectrum_view"]
    assert view.dims == ("spectrum", "time_of_arrival")
    assert view.shape == (5 * 3 * 9 * 4, 70)
    group = ((1 * 3 + 2) * 9 + 3) * 4 + 60 // 25
    assert view.values[group, 12] == 2
    assert view.sum().value == 2


def test_bifrost_spectrum_view_in_wavelength_bins_events_as_the_image_counts_them():
    """Every group of a tube adds up to the tube: 1 and 4 groups per tube give the
    same counts per tube and wavelength bin."""
    data, n = inputs("bifrost", "unified_detector")
    tubes = []
    for per_tube in (1, 4):
        params = {
            "coordinate_mode": {"mode": "wavelength"},
            "spectrum_params": {"pixels_per_tube": per_tube},
            "wavelength_edges": {"start": 0.5, "stop": 12.0, "num_bins": 50},
        }
        _, workflow = build(
            "bifrost/unified_detector_view/1", "unified_detector", params
        )
        workflow.accumulate({"unified_detector": data}, **WINDOW)
        view = workflow.finalize()["spectrum_view"]
        assert view.dims == ("spectrum", "wavelength")
        tubes.append(view.values.reshape(5 * 3 * 9, per_tube, 50).sum(axis=1))
    np.testing.assert_array_equal(tubes[0], tubes[1])
    assert 0 < tubes[0].sum() <= n


def test_monitor_events_without_pixel_ids_are_counted_outside_the_image():
    _, workflow = build("loki/monitor_counts_per_pixel/1", "beam_monitor_m3", {})
    toa = np.full(5, 1_000_000, dtype=np.int32)
    chunks = [MonitorEvents(toa, np.array([1, 1, 2, 256, 257], dtype=np.int32))]
    chunks.append(MonitorEvents(toa))  # a monitor that sent no pixel ids
    workflow.accumulate({"beam_monitor_m3": chunks}, **WINDOW)
    out = workflow.finalize()
    image = out["cumulative"]
    assert image.sum().value == 4  # 257 is outside the 16 x 16 pixels
    assert image.values[0, 0] == 2 and image.values[15, 15] == 1
    assert out["counts_total"].value == 4
    assert workflow.take_dropped_events()["bad_pixel_id"] == 6


@pytest.mark.parametrize(
    ("workflow_id", "source"),
    [
        ("dream/detector_projection/1", "sans_detector"),
        ("loki/tube_view/1", "loki_detector_3"),
        ("tbl/he3_detector_view/1", "he3_detector_bank1"),
        ("loki/monitor_counts_per_pixel/1", "beam_monitor_m3"),
    ],
)
def test_views_in_wavelength_mode_count_every_event(workflow_id, source):
    """Converted modes go through the instruments' frame-shifted views."""
    params = {
        **entry(workflow_id)["defaults"],
        "coordinate_mode": {"mode": "wavelength"},
    }
    spec, workflow = build(workflow_id, source, params)
    data, n = inputs(spec.instrument, source)
    workflow.accumulate({source: data}, **WINDOW)
    out = workflow.finalize()
    assert out["counts_total"].value == n
    assert out["cumulative"].sum().value == pytest.approx(n)
    if "roi_spectra_cumulative" in out:
        assert out["roi_spectra_cumulative"].dims == ("roi", "wavelength")
    assert workflow.take_dropped_events()["bad_pixel_id"] == 0
