"""LOKI specs: light at import, complete, and consistent with the stream mappings."""

import itertools

import pytest

from livedata.core.stream import StreamId, StreamKind
from livedata.instruments import available_instruments, get_instrument
from tests.instruments.science_harness import heavy_modules_after_import

LOKI = get_instrument("loki")


def test_specs_import_without_heavy_science_modules():
    assert heavy_modules_after_import("livedata.instruments.loki.specs") == []


def test_loki_is_listed_with_nine_banks_and_two_monitors():
    assert "loki" in available_instruments()
    assert list(LOKI.detectors) == [f"loki_detector_{i}" for i in range(9)]
    assert LOKI.detectors["loki_detector_0"].shape == (4, 56, 7, 512)
    assert sum(d.n_pixels for d in LOKI.detectors.values()) == 3_211_264
    numbers = [
        (d.first_detector_number, d.first_detector_number + d.n_pixels)
        for d in LOKI.detectors.values()
    ]
    for (_, end), (start, _) in itertools.pairwise(numbers):
        assert start == end  # banks number their pixels without gaps or overlaps
    assert set(LOKI.monitors) == {f"beam_monitor_m{i}" for i in range(5)}


def test_workflows_namespaces_and_factories():
    ids = {str(s.workflow_id) for s in LOKI.workflows.specs()}
    assert ids == {
        "loki/detector_xy/1",
        "loki/detector_xy_projection/1",  # the facility's id, on detector_xy
        "loki/rear_tube_pixel/1",
        "loki/tube_view/1",  # the facility's id, on rear_tube_pixel's projection
        "loki/monitor_counts_per_pixel/1",  # the facility's, m3's pixels
        "loki/monitor_histogram/1",  # the facility's
        "loki/monitor_histogram/2",
        "loki/timeseries_data/1",  # the facility's
        "loki/timeseries_data/2",
        "loki/i_of_q/1",  # the facility's, on i_of_q/2's reduction
        "loki/i_of_q/2",
        "loki/wavelength_lut/1",  # the facility's, no data input
    }
    iofq = LOKI.workflows.spec(
        next(s.workflow_id for s in LOKI.workflows.specs() if s.name == "i_of_q")
    )
    assert iofq.namespace == "data_reduction"
    assert set(iofq.aux_inputs) == {
        "incident_monitor",
        "transmission_monitor",
        "detector_carriage",
    }
    # The carriage is a log: the job waits for its first value (F5 context).
    assert iofq.aux_inputs["detector_carriage"].required
    assert iofq.aux_inputs["detector_carriage"].default == "detector_carriage/value"
    assert LOKI.log_attributes["detector_carriage/value"].unit == "m"
    assert "generated" in iofq.description.lower()
    LOKI.load_factories()
    for spec in LOKI.workflows.specs():
        assert LOKI.workflows.get_factory(spec.workflow_id) is not None, spec.name


@pytest.mark.parametrize("dev", [True, False], ids=["dev", "prod"])
def test_stream_mapping_covers_every_source(dev):
    mapping = LOKI.stream_mapping(dev)
    assert set(mapping.detectors.values()) == set(LOKI.detectors)
    assert set(mapping.monitors.values()) == set(LOKI.monitors)
    assert set(mapping.logs.values()) <= set(LOKI.log_attributes)  # PROD has fewer
    for name in LOKI.detectors:
        assert mapping.key_for(StreamId(StreamKind.DETECTOR_EVENTS, name)) is not None
    if not dev:
        assert {k.topic for k in mapping.detectors} == {
            f"loki_detector_bank{i}" for i in range(9)
        }
        assert {k.source_name for k in mapping.monitors} == {
            f"cbm{i}" for i in range(1, 6)
        }
        assert {k.source_name for k in mapping.detectors} == {"caen"}
