"""The dummy instrument: specs, factories, stream mappings and default jobs agree."""

import uuid

import pytest

from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.stream import StreamId, StreamKind
from livedata.core.workflow import WorkflowContext
from livedata.instruments import available_instruments, get_instrument
from livedata.services.builder import service_kind

DUMMY = get_instrument("dummy")

EXPECTED_IDS = {
    "dummy/panel_0_xy/2",
    "dummy/panel_0_logical/1",  # the pixel-grid view; not among the default jobs
    "dummy/area_panel_xy/2",
    "dummy/monitor_histogram/2",
    "dummy/timeseries_data/2",
    "dummy/total_counts/2",
}
# The facility's ids livedata implements with the facility's meaning (issue 12).
FACILITY_IDS = {
    "dummy/panel_0_xy/1",
    "dummy/monitor_histogram/1",
    "dummy/timeseries_data/1",
    "dummy/total_counts/1",
    "dummy/panel_0_layers/1",
    "dummy/area_panel_xy/1",
}
DEFAULT_JOB_IDS = EXPECTED_IDS - {"dummy/panel_0_logical/1"}
EXPECTED_IDS |= FACILITY_IDS


def kind_of(source: str) -> StreamKind:
    if source in DUMMY.detectors:
        return StreamKind.DETECTOR_EVENTS
    if source in DUMMY.area_detectors:
        return StreamKind.AREA_DETECTOR
    if source in DUMMY.monitors:
        return StreamKind.MONITOR_EVENTS
    if source in DUMMY.log_attributes:
        return StreamKind.LOG
    raise AssertionError(f"{source} is not a source of the dummy instrument")


def test_dummy_is_available():
    assert "dummy" in available_instruments()
    assert DUMMY.name == "dummy"


def test_workflow_ids():
    ids = {str(spec.workflow_id) for spec in DUMMY.workflows.specs()}
    assert ids == EXPECTED_IDS
    for text in ids:
        assert WorkflowId.parse_str(text) in DUMMY.workflows


def test_every_spec_has_a_factory_after_loading():
    DUMMY.load_factories()
    DUMMY.load_factories()  # idempotent
    for spec in DUMMY.workflows.specs():
        assert DUMMY.workflows.get_factory(spec.workflow_id) is not None, spec.name


def test_namespaces_are_the_four_services():
    assert DUMMY.services() == {
        "detector_data",
        "monitor_data",
        "timeseries",
        "data_reduction",
    }
    by_name = {spec.name: spec.namespace for spec in DUMMY.workflows.specs()}
    assert by_name["panel_0_xy"] == "detector_data"
    assert by_name["area_panel_xy"] == "detector_data"
    assert by_name["monitor_histogram"] == "monitor_data"
    assert by_name["timeseries_data"] == "timeseries"
    assert by_name["total_counts"] == "data_reduction"


def test_each_spec_service_ingests_the_kind_of_its_sources():
    for spec in DUMMY.workflows.specs():
        service = service_kind(spec.namespace)
        for source in spec.source_names:
            kind = kind_of(source)
            if kind is StreamKind.LOG:
                assert service.reads_logs, (spec.name, source)
            else:
                assert kind in service.makers, (spec.name, source)


def test_detector_views_accept_rois_and_others_do_not():
    accepts = {s.name for s in DUMMY.workflows.specs() if s.accepts_roi}
    assert accepts == {"panel_0_xy", "panel_0_logical"}


@pytest.mark.parametrize("dev", [True, False], ids=["dev", "prod"])
def test_stream_mapping_covers_every_source(dev):
    mapping = DUMMY.stream_mapping(dev)
    assert mapping.instrument == "dummy"
    assert set(mapping.detectors.values()) == set(DUMMY.detectors)
    assert set(mapping.area_detectors.values()) == set(DUMMY.area_detectors)
    # The facility's table has ten monitors (two of them simulated) and, in
    # PROD, no logs at all.
    assert set(mapping.monitors.values()) >= set(DUMMY.monitors)
    assert set(mapping.logs.values()) == (set(DUMMY.log_attributes) if dev else set())
    spec_sources = {s for spec in DUMMY.workflows.specs() for s in spec.source_names}
    for source in spec_sources:
        if not dev and source in DUMMY.log_attributes:
            continue
        key = mapping.key_for(StreamId(kind_of(source), source))
        assert key is not None, source
    # No two internal streams share Kafka coordinates.
    keys = [
        *mapping.detectors,
        *mapping.area_detectors,
        *mapping.monitors,
        *mapping.logs,
    ]
    assert len(keys) == len(set(keys))


def test_dev_and_prod_use_the_same_topics_but_facility_source_names():
    dev, prod = DUMMY.stream_mapping(True), DUMMY.stream_mapping(False)
    assert dev.raw_topics == {
        "dummy_detector",
        "dummy_area_detector",
        "dummy_beam_monitor",
        "dummy_motion",
    }
    assert prod.raw_topics == dev.raw_topics - {"dummy_motion"}
    monitor = StreamId(StreamKind.MONITOR_EVENTS, "monitor1")
    assert dev.key_for(monitor).source_name == "monitor1"
    assert prod.key_for(monitor).source_name == "cbm1"
    motor = StreamId(StreamKind.LOG, "motion1")
    assert dev.key_for(motor).source_name == "motion1"
    assert prod.key_for(motor) is None


def test_default_jobs_are_valid_and_build():
    DUMMY.load_factories()
    started = set()
    for name, sources in DUMMY.default_jobs:
        versions = [s for s in DUMMY.workflows.specs() if s.name == name]
        assert versions, name
        spec = max(versions, key=lambda s: s.version)  # livedata's own, the newest
        assert set(sources) <= set(spec.source_names), name
        params = spec.validate_params({})
        factory = DUMMY.workflows.get_factory(spec.workflow_id)
        for source in sources:
            context = WorkflowContext(
                instrument="dummy",
                job_id=JobId(source_name=source, job_number=uuid.uuid4()),
                params=params,
            )
            workflow = factory(context)
            assert callable(workflow.accumulate) and callable(workflow.finalize)
        started.add(str(spec.workflow_id))
    assert started == DEFAULT_JOB_IDS


def test_log_attributes_and_geometry():
    assert DUMMY.log_attributes["motion1"].unit == "mm"
    assert DUMMY.log_attributes["motion2"].unit == "deg"
    assert DUMMY.monitors == {"monitor1": 18.0, "monitor2": 21.0}
    panel = DUMMY.detectors["panel_0"]
    assert panel.n_pixels == 128 * 128
    assert panel.first_detector_number == 1
    assert DUMMY.area_detectors["area_panel"].shape == (256, 256)
