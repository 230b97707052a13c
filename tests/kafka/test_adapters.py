"""Adapters: one real FlatBuffer / JSON record -> one core Message (C1, A9)."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pytest
import scipp as sc
import scipp.testing
from streaming_data_types import eventdata_ev44, status_x5f2

from livedata.core.commands import (
    CommandAcknowledgement,
    JobAction,
    JobCommand,
    Response,
    UnreadableCommand,
    WorkflowConfig,
)
from livedata.core.events import DetectorEvents, LogValue, MonitorEvents
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.status import JobState, JobStatus, ServiceState, ServiceStatus
from livedata.core.stream import (
    COMMANDS_STREAM,
    RESPONSES_STREAM,
    STATUS_STREAM,
    StreamId,
    StreamKind,
)
from livedata.core.timestamp import Timestamp
from livedata.kafka.adapters import (
    AreaDetectorAdapter,
    CommandAdapter,
    Da00Adapter,
    DetectorEventsAdapter,
    LogAdapter,
    MonitorAdapter,
    ResponseAdapter,
    StatusAdapter,
    _SourceLookup,
)
from livedata.kafka.raw import RawMessage, from_confluent, schema_id
from livedata.kafka.wire_builders import (
    ad00_message,
    command_message,
    da00_message,
    ev44_bytes,
    ev44_message,
    f144_message,
)

T0 = 1_785_000_000_000_000_000  # ns, 2026
DETECTOR_TOPIC = "dummy_detector"
MONITOR_TOPIC = "dummy_beam_monitor"


def lookup(counters: Counters, *entries: tuple[str, str, str]) -> _SourceLookup:
    return _SourceLookup({(t, s): name for t, s, name in entries}, counters)


def buffer_view(raw: RawMessage) -> np.ndarray:
    return np.frombuffer(raw.value, dtype=np.uint8)


def test_ev44_becomes_detector_events_viewing_the_kafka_buffer() -> None:
    counters = Counters()
    adapter = DetectorEventsAdapter(
        lookup(counters, (DETECTOR_TOPIC, "panel_0", "panel_0"))
    )
    raw = ev44_message(DETECTOR_TOPIC, "panel_0", T0, [3, 1, 2], [10, 20, 30])
    msg = adapter.adapt(raw)
    assert msg.stream == StreamId(StreamKind.DETECTOR_EVENTS, "panel_0")
    assert msg.timestamp == Timestamp(T0)
    assert isinstance(msg.value, DetectorEvents)
    np.testing.assert_array_equal(msg.value.pixel_id, [3, 1, 2])
    np.testing.assert_array_equal(msg.value.time_of_arrival, [10, 20, 30])
    # Zero copy: the arrays are read-only views into the record's bytes.
    for array in (msg.value.pixel_id, msg.value.time_of_arrival):
        assert np.shares_memory(array, buffer_view(raw))
        assert not array.flags.writeable
    assert counters.snapshot() == {}


def test_detector_time_is_the_last_reference_time() -> None:
    payload = eventdata_ev44.serialise_ev44(
        "panel_0",
        1,
        np.array([T0, T0 + 71_428_571], dtype=np.int64),
        np.array([0, 1], dtype=np.int32),
        np.array([5, 6], dtype=np.int32),
        np.array([1, 2], dtype=np.int32),
    )
    adapter = DetectorEventsAdapter(
        lookup(Counters(), (DETECTOR_TOPIC, "panel_0", "panel_0"))
    )
    msg = adapter.adapt(RawMessage(DETECTOR_TOPIC, payload, None, 5))
    assert msg.timestamp == Timestamp(T0 + 71_428_571)


def test_ev44_without_reference_time_falls_back_to_kafka_time() -> None:
    payload = eventdata_ev44.serialise_ev44(
        "panel_0",
        1,
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.int32),
        np.array([5], dtype=np.int32),
        np.array([1], dtype=np.int32),
    )
    adapter = DetectorEventsAdapter(
        lookup(Counters(), (DETECTOR_TOPIC, "panel_0", "panel_0"))
    )
    msg = adapter.adapt(RawMessage(DETECTOR_TOPIC, payload, None, 1_234))
    assert msg.timestamp == Timestamp(1_234_000_000)


def test_detector_banks_can_be_merged_into_one_stream() -> None:
    counters = Counters()
    adapter = DetectorEventsAdapter(
        lookup(
            counters,
            ("loki_detector_bank0", "bank0", "bank0"),
            ("loki_detector_bank1", "bank1", "bank1"),
        ),
        merge_into="all_banks",
    )
    for topic, source in (
        ("loki_detector_bank0", "bank0"),
        ("loki_detector_bank1", "bank1"),
    ):
        msg = adapter.adapt(ev44_message(topic, source, T0, [1], [2]))
        assert msg.stream == StreamId(StreamKind.DETECTOR_EVENTS, "all_banks")


def test_unknown_source_is_none_and_counted_per_topic() -> None:
    counters = Counters()
    adapter = DetectorEventsAdapter(
        lookup(counters, (DETECTOR_TOPIC, "panel_0", "panel_0"))
    )
    raw = ev44_message(DETECTOR_TOPIC, "panel_9", T0, [1], [2])
    assert adapter.adapt(raw) is None
    assert counters.get(f"unknown_source:{DETECTOR_TOPIC}") == 1


def test_detector_adapter_refuses_other_schemas() -> None:
    adapter = DetectorEventsAdapter(lookup(Counters()))
    raw = f144_message(DETECTOR_TOPIC, "panel_0", T0, 1.0)
    with pytest.raises(ValueError, match="ev44"):
        adapter.adapt(raw)


def test_monitor_topic_routes_ev44_and_da00_by_schema() -> None:
    counters = Counters()
    adapter = MonitorAdapter(
        lookup(
            counters,
            (MONITOR_TOPIC, "monitor1", "monitor1"),
            (MONITOR_TOPIC, "monitor2", "monitor2"),
        )
    )
    events = ev44_message(MONITOR_TOPIC, "monitor1", T0, None, [1, 2, 3])
    histogram = sc.DataArray(
        sc.array(dims=["toa"], values=[4.0, 5.0], unit="counts"),
        coords={"toa": sc.array(dims=["toa"], values=[0.0, 1.0, 2.0], unit="ms")},
    )
    counts = da00_message(MONITOR_TOPIC, "monitor2", T0 + 1, histogram)
    assert schema_id(events.value) == "ev44"
    assert schema_id(counts.value) == "da00"

    from_events = adapter.adapt(events)
    assert from_events.stream == StreamId(StreamKind.MONITOR_EVENTS, "monitor1")
    assert isinstance(from_events.value, MonitorEvents)
    np.testing.assert_array_equal(from_events.value.time_of_arrival, [1, 2, 3])
    assert np.shares_memory(from_events.value.time_of_arrival, buffer_view(events))
    assert from_events.timestamp == Timestamp(T0)

    from_counts = adapter.adapt(counts)
    assert from_counts.stream == StreamId(StreamKind.MONITOR_COUNTS, "monitor2")
    assert from_counts.timestamp == Timestamp(T0 + 1)
    sc.testing.assert_identical(from_counts.value, histogram)
    assert counters.snapshot() == {}


def test_monitor_topic_refuses_other_schemas() -> None:
    adapter = MonitorAdapter(lookup(Counters(), (MONITOR_TOPIC, "monitor1", "m")))
    with pytest.raises(ValueError, match="ev44 or da00"):
        adapter.adapt(f144_message(MONITOR_TOPIC, "monitor1", T0, 1.0))


def test_monitor_unknown_source_counted_for_both_schemas() -> None:
    counters = Counters()
    adapter = MonitorAdapter(lookup(counters))
    da = sc.DataArray(sc.array(dims=["x"], values=[1.0]))
    assert adapter.adapt(ev44_message(MONITOR_TOPIC, "cbm9", T0, None, [1])) is None
    assert adapter.adapt(da00_message(MONITOR_TOPIC, "cbm9", T0, da)) is None
    assert counters.get(f"unknown_source:{MONITOR_TOPIC}") == 2


@pytest.mark.parametrize("value", [1.5, 7, np.array([1.0, 2.0, 3.0])])
def test_f144_becomes_log_value_timed_by_its_own_timestamp(value) -> None:
    adapter = LogAdapter(lookup(Counters(), ("dummy_motion", "PV:1.RBV", "motion1")))
    raw = f144_message("dummy_motion", "PV:1.RBV", T0 + 5, value)
    msg = adapter.adapt(RawMessage(raw.topic, raw.value, None, 1))  # Kafka time ignored
    assert msg.stream == StreamId(StreamKind.LOG, "motion1")
    assert msg.timestamp == Timestamp(T0 + 5)
    assert isinstance(msg.value, LogValue)
    assert msg.value.timestamp_ns == T0 + 5
    np.testing.assert_array_equal(msg.value.value, value)


def test_ad00_becomes_a_2d_image() -> None:
    adapter = AreaDetectorAdapter(
        lookup(Counters(), ("dummy_area_detector", "DMY-Det:Cam-01", "area_panel"))
    )
    frame = np.arange(6, dtype=np.uint16).reshape(2, 3)
    msg = adapter.adapt(
        ad00_message("dummy_area_detector", "DMY-Det:Cam-01", T0, frame)
    )
    assert msg.stream == StreamId(StreamKind.AREA_DETECTOR, "area_panel")
    assert msg.timestamp == Timestamp(T0)
    assert msg.value.shape == (2, 3)
    np.testing.assert_array_equal(msg.value.values, frame)


def test_da00_on_livedata_topics_keeps_the_source_name_as_stream_name() -> None:
    roi = sc.DataArray(
        sc.array(dims=["bounds"], values=[1.0, 2.0]),
        coords={"x": sc.array(dims=["bounds"], values=[0.1, 0.2], unit="m")},
    )
    name = "panel_0/1234/roi_rectangle"
    msg = Da00Adapter(StreamKind.LIVEDATA_ROI).adapt(
        da00_message("dummy_livedata_roi", name, T0, roi)
    )
    assert msg.stream == StreamId(StreamKind.LIVEDATA_ROI, name)
    sc.testing.assert_identical(msg.value, roi)


def test_json_commands_are_parsed_and_timed_by_kafka_time() -> None:
    config = WorkflowConfig(
        identifier=WorkflowId(instrument="dummy", name="monitor_histogram", version=2),
        job_id=JobId(source_name="monitor1"),
        params={"bins": 10},
    )
    stop_all = JobCommand(action=JobAction.STOP)
    for command in (config, stop_all):
        msg = CommandAdapter().adapt(command_message("dummy", command, 1_500))
        assert msg.stream == COMMANDS_STREAM
        assert msg.timestamp == Timestamp(1_500_000_000)
        assert msg.value == command


def test_peer_style_command_with_string_ids_is_understood() -> None:
    """The existing peers send ids as strings and no key."""
    number = uuid.uuid4()
    document = {
        "kind": "job_command",
        "message_id": "m1",
        "job_id": f"monitor1/{number}",
        "workflow_id": "dummy/monitor_histogram/2",
        "action": "pause",
    }
    raw = RawMessage("dummy_livedata_commands", json.dumps(document).encode())
    command = CommandAdapter().adapt(raw).value
    assert command.job_id == JobId(source_name="monitor1", job_number=number)
    assert command.workflow_id == WorkflowId.parse_str("dummy/monitor_histogram/2")


def test_json_responses_become_acknowledgements() -> None:
    ack = CommandAcknowledgement(
        message_id="m1", device="monitor1", response=Response.ERR, message="no such job"
    )
    raw = RawMessage(
        "dummy_livedata_responses", ack.model_dump_json().encode(), None, 9
    )
    msg = ResponseAdapter().adapt(raw)
    assert msg.stream == RESPONSES_STREAM
    assert msg.value == ack
    assert msg.timestamp == Timestamp(9_000_000)


def heartbeat(document: dict, service_id: str) -> bytes:
    return status_x5f2.serialise_x5f2(
        "livedata", "1.0", service_id, "host", 1, 2000, json.dumps(document)
    )


def test_x5f2_service_heartbeat_becomes_service_status() -> None:
    document = {
        "status": 200,
        "message": {
            "message_type": "service",
            "instrument": "dummy",
            "service_name": "monitor_data",
            "worker_id": "w1",
            "state": "running",
            "started_at": T0,
            "active_job_count": 2,
            "error": None,
            "batch_interval_s": 1.0,
            "stream_stats": {},
        },
    }
    raw = RawMessage("dummy_livedata_heartbeat", heartbeat(document, "x"), None, 77)
    msg = StatusAdapter().adapt(raw)
    assert msg.stream == STATUS_STREAM
    assert msg.timestamp == Timestamp(77_000_000)
    assert isinstance(msg.value, ServiceStatus)
    assert msg.value.state is ServiceState.RUNNING
    assert msg.value.active_job_count == 2
    assert msg.value.service_id == "dummy:monitor_data:w1"


def test_x5f2_job_heartbeat_becomes_job_status() -> None:
    job_id = JobId(source_name="monitor1")
    document = {
        "status": 210,
        "message": {
            "message_type": "job",
            "state": "warning",
            "warning": "slow",
            "error": None,
            "job_id": {"source_name": "monitor1", "job_number": str(job_id.job_number)},
            "workflow_id": "dummy/monitor_histogram/2",
            "start_time": None,
            "end_time": None,
        },
    }
    raw = RawMessage("dummy_livedata_heartbeat", heartbeat(document, "y"))
    status = StatusAdapter().adapt(raw).value
    assert isinstance(status, JobStatus)
    assert status.state is JobState.WARNING
    assert status.job_id == job_id
    assert status.warning == "slow"


def test_status_adapter_refuses_non_x5f2() -> None:
    raw = RawMessage("dummy_livedata_heartbeat", ev44_bytes("s", T0, None, [1]))
    with pytest.raises(ValueError, match="x5f2"):
        StatusAdapter().adapt(raw)


class ConfluentLikeRecord:
    """The four accessors of a confluent-kafka ``Message`` that ``from_confluent`` uses."""

    def topic(self) -> str:
        return "dummy_detector"

    def value(self) -> bytes:
        return b"payload!"

    def key(self) -> bytes | None:
        return b"k"

    def timestamp(self) -> tuple[int, int]:
        return (1, 1_700_000_000_123)  # (TIMESTAMP_CREATE_TIME, ms)


def test_from_confluent_keeps_topic_value_key_and_kafka_time() -> None:
    assert from_confluent(ConfluentLikeRecord()) == RawMessage(
        "dummy_detector", b"payload!", b"k", 1_700_000_000_123
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (ev44_bytes("s", T0, None, [1]), "ev44"),
        (b"1234f144rest", "f144"),
        (b"short", ""),
        (b"\x00\x00\x00\x00\xff\xfe\xfd\xfc", ""),
    ],
)
def test_schema_id_reads_the_file_identifier(payload: bytes, expected: str) -> None:
    assert schema_id(payload) == expected


def test_invalid_command_with_a_message_id_is_kept_for_its_owner_to_answer() -> None:
    document = {
        "kind": "workflow_config",
        "message_id": "m7",
        "identifier": "dummy/monitor_histogram/2",
        "job_id": {"source_name": "monitor1"},
        "schedule": {"start_time": "soon"},
    }
    raw = RawMessage("dummy_livedata_commands", json.dumps(document).encode())
    command = CommandAdapter().adapt(raw).value
    assert isinstance(command, UnreadableCommand)
    assert command.message_id == "m7"
    assert command.workflow_id == WorkflowId.parse_str("dummy/monitor_histogram/2")
    assert command.source_name == "monitor1"
    assert command.reason.startswith("invalid command: workflow_config.schedule")


@pytest.mark.parametrize(
    "payload", [b"not json", b'{"kind": "workflow_config"}', b"[1, 2]"]
)
def test_commands_nobody_could_answer_still_fail_to_adapt(payload) -> None:
    with pytest.raises(ValueError):
        CommandAdapter().adapt(RawMessage("dummy_livedata_commands", payload))


def test_a_pixelated_monitor_keeps_its_pixel_ids_and_a_counter_has_none() -> None:
    adapter = MonitorAdapter(
        lookup(Counters(), ("loki_beam_monitor", "monitor4", "beam_monitor_m3"))
    )
    with_pixels = adapter.adapt(
        ev44_message("loki_beam_monitor", "monitor4", T0, [3, 4], [10, 20])
    ).value
    plain = adapter.adapt(
        ev44_message("loki_beam_monitor", "monitor4", T0, None, [10, 20])
    ).value
    assert with_pixels.pixel_id.tolist() == [3, 4]
    assert with_pixels.time_of_arrival.tolist() == [10, 20]
    assert plain.pixel_id is None
