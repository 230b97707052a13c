"""Topic creation: docs/wire.md settings, idempotence, clear errors."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from livedata.core.stream import StreamKind
from livedata.kafka.admin import (
    CONTROL_TOPIC,
    RAW_TOPIC,
    ROI_TOPIC,
    BrokerUnreachable,
    CreatedReport,
    TopicSettings,
    ensure_topics,
    ensure_topics_with,
    instrument_topics,
    topic_settings_from_config,
)
from livedata.kafka.broker import find_free_port
from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping


def dummy_mapping() -> StreamMapping:
    return StreamMapping(
        instrument="dummy",
        detectors={InputStreamKey("dummy_detector", "panel_0"): "panel_0"},
        monitors={
            InputStreamKey("dummy_beam_monitor", "monitor1"): "monitor1",
            InputStreamKey("dummy_beam_monitor", "monitor2"): "monitor2",
        },
        logs={InputStreamKey("dummy_motion", "motor"): "motor"},
    )


def test_instrument_topics_lists_raw_and_livedata_topics_with_wire_settings() -> None:
    topics = instrument_topics(dummy_mapping())
    assert set(topics) == {
        "dummy_detector",
        "dummy_beam_monitor",
        "dummy_motion",
        "dummy_livedata_commands",
        "dummy_livedata_responses",
        "dummy_livedata_data",
        "dummy_livedata_roi",
        "dummy_livedata_heartbeat",
        "dummy_livedata_nicos_data",
    }
    assert topics["dummy_detector"].config == {
        "retention.ms": "30000",
        "max.message.bytes": "104857600",
    }
    assert topics["dummy_livedata_commands"].config == {
        "cleanup.policy": "delete",
        "retention.ms": "172800000",
        "max.message.bytes": "1048576",
    }
    assert topics["dummy_livedata_heartbeat"] == CONTROL_TOPIC
    assert topics["dummy_livedata_data"].config["retention.ms"] == "30000"
    assert all(settings.partitions == 1 for settings in topics.values())


def test_instrument_topics_match_the_mapping_topic_names() -> None:
    mapping = dummy_mapping()
    topics = instrument_topics(mapping)
    assert set(topics) == set(mapping.raw_topics | mapping.livedata_topics)
    assert topics[mapping.livedata_topic(StreamKind.LIVEDATA_ROI)] == ROI_TOPIC


def test_topic_classes_can_be_overridden_from_yaml_like_config() -> None:
    short = topic_settings_from_config({"retention.ms": 5000, "partitions": 2})
    assert short == TopicSettings(partitions=2, config={"retention.ms": "5000"})
    topics = instrument_topics(dummy_mapping(), {"raw": short})
    assert topics["dummy_motion"] == short
    assert topics["dummy_livedata_commands"] == CONTROL_TOPIC


def test_unreachable_broker_fails_fast_with_one_clear_line() -> None:
    bootstrap = f"127.0.0.1:{find_free_port()}"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(BrokerUnreachable) as caught:
        ensure_topics(bootstrap, {"t": TopicSettings()}, timeout=1.0)
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert bootstrap in message
    assert "\n" not in message
    assert caught.value.bootstrap == bootstrap


# --- a broker that refuses topic configs (Tansu accepts all of docs/wire.md's) ----


@dataclass
class FakeMetadata:
    topics: dict[str, object]


@dataclass
class ConfigRefusingAdmin:
    """An admin client whose broker rejects any topic config."""

    existing: set[str] = field(default_factory=set)
    created: dict[str, dict[str, str]] = field(default_factory=dict)

    def list_topics(self, timeout: float) -> FakeMetadata:
        return FakeMetadata({name: object() for name in self.existing})

    def create_topics(
        self, topics: list[NewTopic], operation_timeout: float, request_timeout: float
    ) -> dict[str, Future[None]]:
        futures: dict[str, Future[None]] = {}
        for topic in topics:
            future: Future[None] = Future()
            if topic.config:
                error = KafkaError(KafkaError.INVALID_CONFIG, "unknown config")
                future.set_exception(KafkaException(error))
            else:
                self.created[topic.topic] = topic.config
                future.set_result(None)
            futures[topic.topic] = future
        return futures


def create_on_a_config_refusing_broker() -> tuple[ConfigRefusingAdmin, CreatedReport]:
    """``old`` exists; ``new`` asks for configs the broker refuses; ``plain`` none."""
    admin = ConfigRefusingAdmin(existing={"old"})
    report = ensure_topics_with(
        admin,
        "fake:9092",
        {"old": RAW_TOPIC, "new": RAW_TOPIC, "plain": TopicSettings()},
        timeout=1.0,
    )
    return admin, report


def test_refused_configs_create_the_topic_without_them_and_report_it() -> None:
    admin, report = create_on_a_config_refusing_broker()
    assert report.existing == ("old",)
    assert set(report.created) == {"new", "plain"}
    assert report.configs_not_applied == {"new": ("max.message.bytes", "retention.ms")}
    assert report.ok
    assert admin.created == {"new": {}, "plain": {}}


def test_topics_create_prints_which_settings_each_topic_lacks() -> None:
    from livedata.cli.kafka import report_lines

    _, report = create_on_a_config_refusing_broker()
    assert sorted(report_lines(report)) == [
        "created  new (without max.message.bytes, retention.ms)",
        "created  plain",
        "exists   old",
    ]


# --- with the embedded broker ------------------------------------------------------


@pytest.mark.integration
def test_topics_are_created_once_with_their_configs(kafka_broker) -> None:
    suffix = uuid.uuid4().hex[:8]
    topics = {f"raw_{suffix}": RAW_TOPIC, f"commands_{suffix}": CONTROL_TOPIC}

    first = ensure_topics(kafka_broker.bootstrap, topics, timeout=5)
    assert set(first.created) == set(topics)
    assert first.existing == () and first.ok and first.configs_not_applied == {}

    second = ensure_topics(kafka_broker.bootstrap, topics, timeout=5)
    assert second.created == ()
    assert set(second.existing) == set(topics)

    admin = AdminClient({"bootstrap.servers": kafka_broker.bootstrap})
    resources = [ConfigResource("topic", name) for name in topics]
    described = {
        resource.name: {k: v.value for k, v in future.result(timeout=5).items()}
        for resource, future in admin.describe_configs(resources).items()
    }
    for name, settings in topics.items():
        assert {k: described[name][k] for k in settings.config} == settings.config
    metadata = admin.list_topics(timeout=5)
    assert all(len(metadata.topics[name].partitions) == 1 for name in topics)


@pytest.mark.integration
def test_instrument_topics_can_all_be_created(kafka_broker) -> None:
    mapping = StreamMapping(
        instrument=f"inst{uuid.uuid4().hex[:8]}",
        detectors={InputStreamKey("det_" + uuid.uuid4().hex[:8], "panel_0"): "panel_0"},
    )
    report = ensure_topics(
        kafka_broker.bootstrap, instrument_topics(mapping), timeout=5
    )
    assert len(report.created) == 7
    assert report.ok
