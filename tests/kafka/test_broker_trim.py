"""The embedded broker's memory is bounded by re-creating data topics (issue 11)."""

from __future__ import annotations

import time

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from livedata.instruments import get_instrument
from livedata.kafka.broker import EmbeddedBroker
from livedata.kafka.broker_trim import BrokerTrimmer, is_data_topic
from livedata.kafka.sink import make_producer_config
from livedata.services.topics import create_instrument_topics

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_control_topics_are_kept_and_data_topics_trimmed() -> None:
    assert not is_data_topic("dummy_livedata_commands")
    assert not is_data_topic("dummy_livedata_heartbeat")
    assert is_data_topic("dummy_detector")
    assert is_data_topic("dummy_livedata_data")


def test_trim_frees_memory_and_keeps_every_topic() -> None:
    with EmbeddedBroker() as broker:
        assert create_instrument_topics(get_instrument("dummy"), broker.bootstrap).ok
        admin = AdminClient({"bootstrap.servers": broker.bootstrap})
        before = {
            n: len(m.partitions) for n, m in admin.list_topics(timeout=5).topics.items()
        }
        producer = Producer(make_producer_config(broker.bootstrap))
        for i in range(2000):
            producer.produce("dummy_detector", b"x" * 100_000)
            if i % 100 == 0:
                producer.poll(0)
        producer.produce("dummy_livedata_commands", b"{}")
        assert producer.flush(30) == 0
        grown = broker.rss_bytes()
        assert grown is not None and grown > 150 * 2**20
        trimmer = BrokerTrimmer(broker.bootstrap, broker.rss_bytes, 100 * 2**20)
        trimmed = trimmer.trim()
        assert "dummy_detector" in trimmed
        assert "dummy_livedata_commands" not in trimmed
        time.sleep(1)
        assert broker.rss_bytes() < grown - 150 * 2**20
        after = {
            n: len(m.partitions) for n, m in admin.list_topics(timeout=5).topics.items()
        }
        assert after == before
        assert broker.death() is None


def test_a_dead_broker_says_so() -> None:
    broker = EmbeddedBroker().start()
    try:
        assert broker.death() is None
        broker._process.kill()  # the kernel's OOM killer, as seen from outside
        broker._process.wait(5)
        assert "signal 9" in broker.death()
    finally:
        broker.stop()
