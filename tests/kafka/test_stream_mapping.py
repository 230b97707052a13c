"""(topic, source) <-> StreamId for the dummy instrument; topic names as docs/wire.md says."""

from __future__ import annotations

import pytest

from livedata.core.stream import StreamId, StreamKind
from livedata.instruments.dummy.streams import DEV, PROD
from livedata.kafka.stream_mapping import (
    LIVEDATA_TOPIC_SUFFIX,
    InputStreamKey,
    StreamMapping,
    livedata_topic,
)

LIVEDATA_TOPICS = {
    StreamKind.LIVEDATA_COMMANDS: "dummy_livedata_commands",
    StreamKind.LIVEDATA_RESPONSES: "dummy_livedata_responses",
    StreamKind.LIVEDATA_DATA: "dummy_livedata_data",
    StreamKind.LIVEDATA_ROI: "dummy_livedata_roi",
    StreamKind.LIVEDATA_STATUS: "dummy_livedata_heartbeat",
    StreamKind.LIVEDATA_NICOS_DATA: "dummy_livedata_nicos_data",
}


@pytest.mark.parametrize(("kind", "topic"), LIVEDATA_TOPICS.items())
def test_livedata_topics_follow_wire_md(kind: StreamKind, topic: str) -> None:
    assert livedata_topic("dummy", kind) == topic
    assert DEV.livedata_topic(kind) == topic
    assert PROD.livedata_topic(kind) == topic


def test_every_livedata_topic_is_listed() -> None:
    assert set(LIVEDATA_TOPIC_SUFFIX) == set(LIVEDATA_TOPICS)
    assert DEV.livedata_topics == frozenset(LIVEDATA_TOPICS.values())


def test_livedata_topics_need_a_livedata_kind() -> None:
    with pytest.raises(KeyError):
        livedata_topic("dummy", StreamKind.DETECTOR_EVENTS)


@pytest.mark.parametrize("mapping", [DEV, PROD], ids=["dev", "prod"])
def test_raw_topics_of_the_dummy(mapping: StreamMapping) -> None:
    assert mapping.instrument == "dummy"
    assert mapping.detector_topics == {"dummy_detector"}
    assert mapping.area_detector_topics == {"dummy_area_detector"}
    assert mapping.monitor_topics == {"dummy_beam_monitor"}
    # The facility's dummy has its motors in DEV only.
    motion = {"dummy_motion"} if mapping is DEV else set()
    assert mapping.log_topics == motion
    assert mapping.raw_topics == {
        "dummy_detector",
        "dummy_area_detector",
        "dummy_beam_monitor",
        *motion,
    }
    assert not mapping.raw_topics & mapping.livedata_topics


DEV_TABLE = [
    (StreamId(StreamKind.DETECTOR_EVENTS, "panel_0"), "dummy_detector", "panel_0"),
    (
        StreamId(StreamKind.AREA_DETECTOR, "area_panel"),
        "dummy_area_detector",
        "area_panel",
    ),
    (StreamId(StreamKind.MONITOR_EVENTS, "monitor1"), "dummy_beam_monitor", "monitor1"),
    (StreamId(StreamKind.MONITOR_COUNTS, "monitor2"), "dummy_beam_monitor", "monitor2"),
    (StreamId(StreamKind.LOG, "motion1"), "dummy_motion", "motion1"),
    (StreamId(StreamKind.LOG, "motion2"), "dummy_motion", "motion2"),
]
PROD_TABLE = [
    (StreamId(StreamKind.DETECTOR_EVENTS, "panel_0"), "dummy_detector", "panel_0"),
    (
        StreamId(StreamKind.AREA_DETECTOR, "area_panel"),
        "dummy_area_detector",
        "area_panel",
    ),
    (StreamId(StreamKind.MONITOR_EVENTS, "monitor1"), "dummy_beam_monitor", "cbm1"),
    (StreamId(StreamKind.MONITOR_COUNTS, "monitor2"), "dummy_beam_monitor", "cbm2"),
    (StreamId(StreamKind.MONITOR_EVENTS, "monitor10"), "dummy_beam_monitor", "cbm10"),
]


@pytest.mark.parametrize(
    ("mapping", "stream", "topic", "source"),
    [(DEV, *row) for row in DEV_TABLE] + [(PROD, *row) for row in PROD_TABLE],
)
def test_stream_to_kafka_and_back(
    mapping: StreamMapping, stream: StreamId, topic: str, source: str
) -> None:
    key = mapping.key_for(stream)
    assert key == InputStreamKey(topic, source)
    table = {
        StreamKind.DETECTOR_EVENTS: mapping.detectors,
        StreamKind.AREA_DETECTOR: mapping.area_detectors,
        StreamKind.MONITOR_EVENTS: mapping.monitors,
        StreamKind.MONITOR_COUNTS: mapping.monitors,
        StreamKind.LOG: mapping.logs,
    }[stream.kind]
    assert table[key] == stream.name


@pytest.mark.parametrize(
    "stream",
    [
        StreamId(StreamKind.DETECTOR_EVENTS, "panel_9"),
        StreamId(StreamKind.LOG, "panel_0"),  # right name, wrong kind
        StreamId(StreamKind.LIVEDATA_DATA, "panel_0"),
        StreamId(StreamKind.UNKNOWN, "monitor1"),
    ],
)
def test_streams_not_in_the_mapping_have_no_key(stream: StreamId) -> None:
    assert DEV.key_for(stream) is None


def test_mappings_are_values() -> None:
    key = InputStreamKey("t", "s")
    assert key == InputStreamKey("t", "s")
    assert hash(key) == hash(InputStreamKey("t", "s"))
    with pytest.raises(AttributeError):
        DEV.instrument = "other"  # type: ignore[misc]


def test_an_empty_mapping_still_has_livedata_topics() -> None:
    empty = StreamMapping(instrument="bare")
    assert empty.raw_topics == frozenset()
    assert "bare_livedata_commands" in empty.livedata_topics
