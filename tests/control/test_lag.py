"""Consumer lag: rules on a fake broker view, then the real embedded broker."""

import time
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from livedata.control.lag import (
    SERVICE_NAMES,
    LagProbe,
    group_prefixes,
    lag_stats,
)
from livedata.core.status import ServiceState, ServiceStatus
from tests.broker_fixture import kafka_broker, new_topic  # noqa: F401

NOW_S = 1_700_000_100.0


class FakeBroker:
    """An OffsetReader over plain dicts: groups, commits, watermarks, timestamps."""

    def __init__(self):
        self.commits: dict[str, dict[tuple[str, int], int]] = {}
        self.marks: dict[tuple[str, int], tuple[int, int]] = {}
        self.stamps: dict[tuple[str, int, int], int] = {}
        self.closed = False

    def groups(self):
        return list(self.commits)

    def committed(self, group):
        return dict(self.commits[group])

    def watermarks(self, topic, partition):
        return self.marks.get((topic, partition))

    def record_timestamp_ms(self, topic, partition, offset, low):
        return self.stamps.get((topic, partition, offset))

    def close(self):
        self.closed = True


def probe(broker: FakeBroker) -> LagProbe:
    return LagProbe(
        "unused:9092",
        "dummy",
        wall_clock=lambda: NOW_S,
        trend_length=3,
        reader=broker,
        heartbeat_groups_only=False,
    )


def test_offset_and_time_lag_from_committed_offsets():
    broker = FakeBroker()
    broker.commits["dummy_detector_data_1"] = {("dummy_detector", 0): 40}
    broker.marks[("dummy_detector", 0)] = (0, 100)
    broker.stamps[("dummy_detector", 0, 40)] = int((NOW_S - 12.5) * 1000)
    (row,) = probe(broker).sample()
    assert (row.group, row.topic, row.partition) == (
        "dummy_detector_data_1",
        "dummy_detector",
        0,
    )
    assert row.offset_lag == 60
    assert row.time_lag_s == pytest.approx(12.5)
    assert row.trend == (60.0,)


def test_only_groups_of_the_instruments_services_are_listed():
    broker = FakeBroker()
    for group in ("dummy_timeseries_a", "loki_timeseries_b", "dummy_cli_c", "other"):
        broker.commits[group] = {("t", 0): 1}
    broker.marks[("t", 0)] = (0, 1)
    assert [r.group for r in probe(broker).sample()] == ["dummy_timeseries_a"]


def test_unknown_is_none_never_zero():
    broker = FakeBroker()
    broker.commits["dummy_monitor_data_x"] = {("gone", 0): 5, ("t", 0): 5}
    broker.marks[("t", 0)] = (0, 9)  # no watermarks for "gone", no timestamp for t
    rows = {r.topic: r for r in probe(broker).sample()}
    assert rows["gone"].offset_lag is None and rows["gone"].time_lag_s is None
    assert rows["gone"].trend == ()
    assert rows["t"].offset_lag == 4 and rows["t"].time_lag_s is None


def test_caught_up_and_idle_partitions_have_zero_lag():
    broker = FakeBroker()
    broker.commits["dummy_detector_data_1"] = {("busy", 0): 12, ("idle", 0): 0}
    broker.marks[("busy", 0)] = (0, 10)  # the embedded broker's high can trail
    broker.marks[("idle", 0)] = (0, 0)
    rows = probe(broker).sample()
    assert [(r.offset_lag, r.time_lag_s) for r in rows] == [(0, 0.0), (0, 0.0)]


def test_commit_below_retention_counts_from_the_first_kept_record():
    broker = FakeBroker()
    broker.commits["dummy_detector_data_1"] = {("t", 0): 3}
    broker.marks[("t", 0)] = (50, 80)
    broker.stamps[("t", 0, 50)] = int((NOW_S - 1) * 1000)
    (row,) = probe(broker).sample()
    assert row.offset_lag == 30 and row.time_lag_s == pytest.approx(1.0)


def test_trend_keeps_the_last_samples_oldest_first():
    broker = FakeBroker()
    broker.commits["dummy_detector_data_1"] = {("t", 0): 0}
    lag_probe = probe(broker)
    trends = []
    for high in (10, 20, 15, 5):
        broker.marks[("t", 0)] = (0, high)
        trends.append(lag_probe.sample()[0].trend)
    assert trends[-1] == (20.0, 15.0, 5.0)
    assert trends[0] == (10.0,)


def status(state=ServiceState.RUNNING, stats=None, instrument="dummy"):
    return ServiceStatus(
        instrument=instrument,
        service_name="detector_data",
        worker_id="w1",
        state=state,
        started_at=0,
        stream_stats=stats or {},
    )


def test_lag_reported_in_service_heartbeats():
    lag_probe = probe(FakeBroker())
    stats = lag_stats(
        {("dummy_detector", 0): 7, ("dummy_detector", 1): None},
        {("dummy_detector", 0): 0.4, ("dummy_detector", 1): None},
    )
    lag_probe.observe(status(stats=stats))
    lag_probe.observe(status(stats=stats, instrument="loki"))
    rows = lag_probe.sample()
    assert [(r.group, r.partition, r.offset_lag, r.time_lag_s) for r in rows] == [
        ("dummy:detector_data:w1", 0, 7, 0.4),
        ("dummy:detector_data:w1", 1, None, None),
    ]
    lag_probe.observe(status(state=ServiceState.STOPPED))
    assert lag_probe.sample() == ()


def test_heartbeats_without_lag_stats_add_no_rows():
    lag_probe = probe(FakeBroker())
    lag_probe.observe(status())
    assert lag_probe.sample() == ()


def test_group_prefixes_and_service_names_match_the_services():
    from livedata.services.builder import SERVICES

    assert set(SERVICE_NAMES) == set(SERVICES)
    assert group_prefixes("dream", ["timeseries"]) == ("dream_timeseries_",)


def test_probe_closes_its_reader():
    broker = FakeBroker()
    with probe(broker):
        pass
    assert broker.closed


@pytest.mark.integration
@pytest.mark.slow
def test_lag_of_a_real_consumer_on_the_embedded_broker(kafka_broker, new_topic):  # noqa: F811
    bootstrap = kafka_broker.bootstrap
    instrument = f"lag{uuid.uuid4().hex[:8]}"
    busy, idle = new_topic("lag_busy"), new_topic("lag_idle")
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
    sent_ms = int(time.time() * 1000) - 30_000
    for i in range(10):
        producer.produce(busy, f"m{i}".encode(), timestamp=sent_ms + i * 1000)
        producer.flush(10)  # one batch per record: the high watermark is exact

    group = f"{instrument}_detector_data_{uuid.uuid4()}"
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    )
    try:
        consumer.assign(
            [
                TopicPartition(busy, 0, OFFSET_BEGINNING),
                TopicPartition(idle, 0, OFFSET_BEGINNING),
            ]
        )
        consumed = []
        deadline = time.monotonic() + 30
        while len(consumed) < 4 and time.monotonic() < deadline:
            record = consumer.poll(0.5)
            if record is not None and record.error() is None:
                consumed.append(record)
        assert [r.offset() for r in consumed] == [0, 1, 2, 3]
        consumer.commit(
            offsets=[TopicPartition(busy, 0, 4), TopicPartition(idle, 0, 0)],
            asynchronous=False,
        )
        with LagProbe(bootstrap, instrument, heartbeat_groups_only=False) as lag_probe:
            first = {r.topic: r for r in lag_probe.sample()}
            assert set(first) == {busy, idle}
            row = first[busy]
            assert row.group == group and row.partition == 0
            assert row.offset_lag == 6
            # the records at offsets 4 (committed) and 9 (the last) are 5 s apart
            assert row.time_lag_s == pytest.approx(5.0)
            assert (row.end_offset, row.committed, row.peak_lag) == (10, 4, 6)
            assert (first[idle].offset_lag, first[idle].time_lag_s) == (0, 0.0)

            consumer.commit(offsets=[TopicPartition(busy, 0, 9)], asynchronous=False)
            second = {r.topic: r for r in lag_probe.sample()}
            assert second[busy].offset_lag == 1
            assert second[busy].trend == (6.0, 1.0)
    finally:
        consumer.close()


@pytest.mark.integration
@pytest.mark.slow
def test_lag_counts_every_record_of_a_batch(kafka_broker, new_topic):  # noqa: F811
    """The embedded broker's high watermark is the base of the last batch plus
    one: ten records in one batch must still be ten behind, not one."""
    bootstrap = kafka_broker.bootstrap
    instrument = f"lag{uuid.uuid4().hex[:8]}"
    topic = new_topic("lag_batch")
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 200})
    sent_ms = int(time.time() * 1000) - 20_000
    for i in range(10):
        producer.produce(topic, f"m{i}".encode(), timestamp=sent_ms + i * 1000)
    producer.flush(10)  # one batch
    group = f"{instrument}_data_reduction_{uuid.uuid4()}"
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    )
    try:
        consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        consumer.commit(offsets=[TopicPartition(topic, 0, 0)], asynchronous=False)
        with LagProbe(bootstrap, instrument, heartbeat_groups_only=False) as probe:
            (row,) = probe.sample()
            assert (row.end_offset, row.committed, row.offset_lag) == (10, 0, 10)
            assert row.time_lag_s == pytest.approx(9.0)
    finally:
        consumer.close()
