"""BIFROST specs: light at import, 45 triplets merged into one unified stream (F2)."""

import pytest
from streaming_data_types import eventdata_ev44

from livedata.core.metrics import Counters
from livedata.instruments import get_instrument
from livedata.instruments.bifrost import banks, fake
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_service_adapter
from livedata.kafka.wire_builders import ev44_bytes
from tests.instruments.science_harness import heavy_modules_after_import

BIFROST = get_instrument("bifrost")


def test_specs_import_without_heavy_science_modules():
    assert heavy_modules_after_import("livedata.instruments.bifrost.specs") == []


def test_one_unified_detector_of_45_triplets():
    assert list(BIFROST.detectors) == ["unified_detector"]
    unified = BIFROST.detectors["unified_detector"]
    assert unified.shape == (5, 3, 9, 100)
    assert unified.dims == ("arc", "tube", "channel", "pixel")
    assert len(banks.TRIPLETS) == 45


def test_every_spec_has_a_factory():
    BIFROST.load_factories()
    names = {s.name for s in BIFROST.workflows.specs()}
    assert names == {
        "detector_arc_channel",
        "detector_ratemeter",
        "qe_map",
        "qmap",  # the facility's id, on qe_map
        "elastic_qmap",  # the facility's, kinematics as qe_map's
        "elastic_qmap_custom",  # the facility's, kinematics as qe_map's
        "unified_detector_view",  # the facility's, on detector_arc_channel
        "monitor_histogram",
        "timeseries_data",
        "wavelength_lut",  # the facility's, no data input
    }
    for spec in BIFROST.workflows.specs():
        assert BIFROST.workflows.get_factory(spec.workflow_id) is not None


@pytest.mark.parametrize("dev", [True, False], ids=["dev", "prod"])
def test_all_triplets_map_to_the_unified_stream(dev):
    mapping = BIFROST.stream_mapping(dev)
    assert len(mapping.detectors) == 45
    assert {mapping.detector_stream(n) for n in mapping.detectors.values()} == {
        "unified_detector"
    }
    sources = {
        name: key.source_name for key, name in mapping.detectors.items()
    }  # stream name -> source name
    adapter = build_service_adapter(mapping, Counters())
    names = set()
    for t, name, payload in fake.make_bifrost_events(n_pulses=1, events_per_pulse=450):
        if not dev:
            arc, channel = banks.TRIPLET_OF[name]
            source = sources[banks.prod_triplet_name(arc, channel)]
            ev = eventdata_ev44.deserialise_ev44(payload)
            payload = ev44_bytes(source, t, ev.pixel_id, ev.time_of_flight)
        msg = adapter.adapt(RawMessage("bifrost_detector", payload))
        names.add(msg.stream.name)
    assert names == {"unified_detector"}
