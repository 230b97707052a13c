"""livedata's DEV and PROD stream mappings against the facility's, entry for entry
(topic, source name, internal name) for detectors, area detectors, monitors and
f144 logs of all five instruments (issue 12, A8)."""

from __future__ import annotations

import pytest

from livedata.instruments import get_instrument
from livedata.instruments.facility_streams import timeseries_sources

from .peer_contract import INSTRUMENTS, streams, workflows

KINDS = ("detectors", "area_detectors", "monitors", "logs")


def entries(mapping, kind: str) -> set[tuple[str, str, str]]:
    table = getattr(mapping, kind)
    return {(key.topic, key.source_name, name) for key, name in table.items()}


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_mapping_equals_the_facilitys(instrument, env, kind) -> None:
    mapping = get_instrument(instrument).stream_mapping(dev=env == "dev")
    theirs = {tuple(row) for row in streams()[instrument][env].get(kind, [])}
    assert entries(mapping, kind) == theirs


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_production_names_read_the_real_topics(instrument) -> None:
    prod = get_instrument(instrument).stream_mapping(dev=False)
    theirs = {
        row[0] for kind in KINDS for row in streams()[instrument]["prod"].get(kind, [])
    }
    assert prod.raw_topics == theirs


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_every_facility_log_is_registered_so_none_is_dropped(instrument) -> None:
    inst = get_instrument(instrument)
    for env in ("dev", "prod"):
        for _, _, name in streams()[instrument][env].get("logs", []):
            assert name in inst.log_attributes, name


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_timeseries_sources_follow_from_the_log_table(instrument) -> None:
    """Logs, and devices (motors, stages) read from their first field."""
    facts = workflows(instrument)[f"{instrument}/timeseries_data/1"]["source_names"]
    assert list(timeseries_sources(instrument)) == facts


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_every_facility_stream_is_one_the_instrument_describes(instrument, env) -> None:
    """Each detector and camera the facility streams is a bank or camera of the
    instrument (or merged into one), and each monitor a facility workflow reads
    is one of its monitors, so the services and fakes know them."""
    inst = get_instrument(instrument)
    mapping = inst.stream_mapping(dev=env == "dev")
    facts = streams()[instrument][env]
    for _, _, name in facts.get("detectors", []):
        assert mapping.detector_stream(name) in inst.detectors, name
    for _, _, name in facts.get("area_detectors", []):
        assert name in inst.area_detectors, name
    read = {s for w in workflows(instrument).values() for s in w["source_names"]}
    for _, _, name in facts.get("monitors", []):
        assert name in inst.monitors or name not in read, name


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_bifrost_triplets_are_read_as_the_unified_detector(env) -> None:
    from livedata.core.metrics import Counters
    from livedata.kafka.routing import build_service_adapter
    from livedata.kafka.wire_builders import ev44_message

    mapping = get_instrument("bifrost").stream_mapping(dev=env == "dev")
    adapter = build_service_adapter(mapping, Counters())
    names = set()
    for topic, source, _ in streams()["bifrost"][env]["detectors"]:
        message = adapter.adapt(ev44_message(topic, source, 10**18, [1], [5]))
        names.add(message.stream.name)
    assert names == {"unified_detector"}
