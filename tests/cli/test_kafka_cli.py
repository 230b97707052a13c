"""``livedata kafka peek|lag`` and ``results tail`` on the real embedded broker."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import numpy as np
import pytest
import scipp as sc
from confluent_kafka import Producer

from livedata.cli.common import ExitCode
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.message import Message
from livedata.core.status import ServiceState, ServiceStatus
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.kafka.admin import TopicSettings, ensure_topics
from livedata.kafka.serialisers import Serialiser
from livedata.kafka.stream_mapping import livedata_topic
from livedata.kafka.wire_builders import ev44_bytes
from tests.cli.helpers import invoke

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NOW_MS = int(time.time() * 1000)


def produce(bootstrap: str, topic: str, values, timestamps_ms=None, keys=None):
    producer = Producer({"bootstrap.servers": bootstrap})
    for i, value in enumerate(values):
        producer.produce(
            topic,
            value=value,
            key=None if keys is None else keys[i],
            timestamp=NOW_MS if timestamps_ms is None else timestamps_ms[i],
        )
    assert producer.flush(10) == 0


def ev44_records(n: int) -> list[bytes]:
    return [
        ev44_bytes(
            "panel_0",
            1_700_000_000_000_000_000 + i,
            np.arange(i + 1),
            np.full(i + 1, 1000),
            message_id=i,
        )
        for i in range(n)
    ]


@pytest.fixture
def ev44_topic(kafka_broker, new_topic) -> str:
    topic = new_topic("peek")
    produce(kafka_broker.bootstrap, topic, ev44_records(15))
    return topic


def test_peek_from_end_minus_n_as_json(kafka_broker, ev44_topic) -> None:
    result = invoke(
        "kafka", "peek", ev44_topic, "--from", "end-5", "--count", "50",
        "--json", "--bootstrap", kafka_broker.bootstrap,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["offset"] for r in records] == [10, 11, 12, 13, 14]
    assert {r["schema"] for r in records} == {"ev44"}
    assert [r["events"] for r in records] == [11, 12, 13, 14, 15]
    assert "5 record(s)" in result.stderr


def test_peek_text_lines_default_last_ten(kafka_broker, ev44_topic) -> None:
    result = invoke("kafka", "peek", ev44_topic, "--bootstrap", kafka_broker.bootstrap)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("0:5 ") and "ev44 panel_0" in lines[0]
    assert "15 events" in lines[-1]


def test_peek_from_beginning_stops_at_count(kafka_broker, ev44_topic) -> None:
    result = invoke(
        "kafka", "peek", ev44_topic, "--from", "beginning", "-n", "3", "--json",
        "--bootstrap", kafka_broker.bootstrap,
    )  # fmt: skip
    assert [r["offset"] for r in json.loads(result.stdout)] == [0, 1, 2]


def test_peek_from_time_skips_older_records(kafka_broker, new_topic) -> None:
    topic = new_topic("peek_time")
    old_ms = 1_600_000_000_000  # 2020-09
    new_ms = 1_700_000_000_000  # 2023-11
    produce(
        kafka_broker.bootstrap,
        topic,
        ev44_records(6),
        timestamps_ms=[old_ms] * 3 + [new_ms] * 3,
    )
    result = invoke(
        "kafka", "peek", topic, "--from", "2023-01-01T00:00:00+00:00", "--json",
        "--bootstrap", kafka_broker.bootstrap,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["offset"] for r in records] == [3, 4, 5]
    assert all(r["kafka_time"].startswith("2023-11-14") for r in records)


def test_peek_unknown_topic_exits_2(kafka_broker) -> None:
    result = invoke(
        "kafka", "peek", f"nosuch_{uuid.uuid4().hex}", "--timeout", "5",
        "--bootstrap", kafka_broker.bootstrap,
    )  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert "not found" in result.stderr


def _ensure(bootstrap: str, *topics: str) -> None:
    ensure_topics(bootstrap, dict.fromkeys(topics, TopicSettings()), timeout=10)


def test_lag_shows_service_reported_lag_unknown_as_dash(kafka_broker) -> None:
    topic = livedata_topic("dummy", StreamKind.LIVEDATA_STATUS)
    _ensure(kafka_broker.bootstrap, topic)
    worker = uuid.uuid4().hex[:8]
    status = ServiceStatus(
        instrument="dummy",
        service_name="detector_data",
        worker_id=worker,
        state=ServiceState.RUNNING,
        started_at=time.time_ns(),
        stream_stats={
            "consumer_lag": {"dummy_detector/0": 7, "dummy_motion/0": None},
            "consumer_time_lag_s": {"dummy_detector/0": 0.5},
        },
    )
    record = Serialiser("dummy")(Message(Timestamp.now(), StreamId(
        StreamKind.LIVEDATA_STATUS, "status"), status))  # fmt: skip
    produce(kafka_broker.bootstrap, topic, [record.value])
    service_id = f"dummy:detector_data:{worker}"

    as_json = invoke("kafka", "lag", "--json", "--bootstrap", kafka_broker.bootstrap)
    assert as_json.exit_code == 0, as_json.stderr
    rows = {
        (r["topic"], r["partition"]): r
        for r in json.loads(as_json.stdout)["rows"]
        if r["group"] == service_id
    }
    assert rows[("dummy_detector", 0)]["offset_lag"] == 7
    assert rows[("dummy_detector", 0)]["time_lag_s"] == 0.5
    assert rows[("dummy_motion", 0)]["offset_lag"] is None

    as_text = invoke("kafka", "lag", "--bootstrap", kafka_broker.bootstrap)
    mine = [line.split() for line in as_text.stdout.splitlines() if worker in line]
    by_topic = {cells[1]: cells for cells in mine}
    # SERVICE TOPIC PART END COMMITTED LAG TIME...: a reported lag has no offsets
    assert by_topic["dummy_detector"][3:6] == ["-", "-", "7"]
    assert by_topic["dummy_motion"][3:7] == ["-"] * 4  # unknown, never 0


def _result_record(workflow: str, output: str, value: sc.DataArray) -> tuple:
    key = ResultKey(
        workflow_id=WorkflowId.parse_str(workflow),
        job_id=JobId(source_name="panel_0"),
        output_name=output,
    )
    stream = StreamId(StreamKind.LIVEDATA_DATA, key.to_json())
    record = Serialiser("dummy")(Message(Timestamp(time.time_ns()), stream, value))
    return record.value, record.key


def test_results_tail_prints_matching_results(kafka_broker) -> None:
    topic = livedata_topic("dummy", StreamKind.LIVEDATA_DATA)
    _ensure(kafka_broker.bootstrap, topic)
    image = sc.DataArray(
        sc.array(dims=["y", "x"], values=[[1.0, 2.0], [3.0, np.nan]], unit="counts")
    )
    total = sc.DataArray(sc.scalar(42.0, unit="counts"))
    wanted = [
        _result_record("dummy/panel_0_xy/2", "cumulative", image),
        _result_record("dummy/panel_0_xy/2", "counts_total", total),
        _result_record("dummy/total_counts/2", "total_counts", total),  # skipped
    ]
    command = [
        sys.executable, "-m", "livedata", "results", "tail", "-w", "panel_0_xy",
        "-i", "dummy", "--count", "4", "--timeout", "20", "--json",
        "--bootstrap", kafka_broker.bootstrap,
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        deadline = time.monotonic() + 30
        # The tail starts at the end: keep producing until it has read enough.
        while process.poll() is None and time.monotonic() < deadline:
            produce(
                kafka_broker.bootstrap,
                topic,
                [v for v, _ in wanted],
                keys=[k for _, k in wanted],
            )
            time.sleep(0.3)
        if process.poll() is None:
            process.kill()
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    results = json.loads(stdout)
    assert len(results) == 4
    assert {r["workflow_id"] for r in results} == {"dummy/panel_0_xy/2"}
    by_output = {r["output_name"]: r for r in results}
    assert by_output["cumulative"]["dims"] == ["y", "x"]
    assert by_output["cumulative"]["shape"] == [2, 2]
    assert by_output["cumulative"]["total"] == 6.0  # NaN ignored
    assert by_output["counts_total"]["value"] == 42.0
    assert by_output["counts_total"]["unit"] == "counts"


def test_results_tail_text_and_output_filter(kafka_broker) -> None:
    topic = livedata_topic("dummy", StreamKind.LIVEDATA_DATA)
    _ensure(kafka_broker.bootstrap, topic)
    total = sc.DataArray(sc.scalar(5.0, unit="counts"))
    value, key = _result_record("dummy/total_counts/2", "total_counts", total)
    command = [
        sys.executable, "-m", "livedata", "results", "tail",
        "-w", "dummy/total_counts", "-o", "total_counts", "-n", "2",
        "--timeout", "20", "--bootstrap", kafka_broker.bootstrap,
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            produce(kafka_broker.bootstrap, topic, [value], keys=[key])
            time.sleep(0.3)
        if process.poll() is None:
            process.kill()
        stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    lines = stdout.splitlines()
    assert len(lines) == 2
    assert "dummy/total_counts/2" in lines[0] and "total_counts" in lines[0]
    assert "[scalar]" in lines[0] and "value=5 counts" in lines[0]


def test_results_tail_times_out_with_exit_1(kafka_broker) -> None:
    topic = livedata_topic("dummy", StreamKind.LIVEDATA_DATA)
    _ensure(kafka_broker.bootstrap, topic)
    result = invoke(
        "results", "tail", "-w", "dummy/area_panel_xy/2", "--timeout", "1",
        "--bootstrap", kafka_broker.bootstrap,
    )  # fmt: skip
    assert result.exit_code == ExitCode.ERROR
    assert "no results of dummy/area_panel_xy/2" in result.stderr


def test_result_lines_give_the_last_value_of_a_time_series_not_a_sum() -> None:
    from livedata.cli.results import summarise

    key = ResultKey(
        workflow_id=WorkflowId.parse_str("dummy/timeseries_data/2"),
        job_id=JobId(source_name="motion2"),
        output_name="timeseries",
    )
    series = sc.DataArray(
        sc.array(dims=["time"], values=[-10.0, 5.0, 80.0], unit="deg"),
        coords={"time": sc.array(dims=["time"], values=[1, 2, 3], unit="ns")},
    )
    stream = StreamId(StreamKind.LIVEDATA_DATA, key.to_json())
    line = summarise(Message(Timestamp(7), stream, series))
    assert (line.last, line.total) == (80.0, None)
    assert "last=80 deg" in line.text()
