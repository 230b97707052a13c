"""The in-memory bus carries the bytes Kafka would, and reads like a consumer at the end."""

from livedata.control.memory_transport import InMemoryBus
from livedata.core.commands import CommandAcknowledgement, WorkflowConfig
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.message import Message
from livedata.core.status import ServiceStatus
from livedata.core.stream import COMMANDS_STREAM, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.kafka.raw import schema_id


def start_config():
    return WorkflowConfig(
        identifier=WorkflowId.parse_str("dummy/monitor_histogram/2"),
        job_id=JobId(source_name="monitor1"),
    )


def test_records_on_the_bus_are_the_wire_format():
    bus = InMemoryBus("dummy")
    bus.add_service("monitor_data")
    client = bus.transport()
    cmd = start_config()
    client.send(Message(Timestamp.now(), COMMANDS_STREAM, cmd))
    got = client.poll(0.5)
    (record,) = bus.read("dummy_livedata_commands", 0)
    assert record.key == b"dummy/monitor_histogram/2/monitor1"
    assert WorkflowConfig.model_validate_json(record.value) == cmd
    beats = bus.read("dummy_livedata_heartbeat", 0)
    assert beats and all(schema_id(r.value) == "x5f2" for r in beats)
    values = [m.value for m in got]
    assert cmd in values  # a client sees commands on the topic, its own too
    assert any(isinstance(v, ServiceStatus) for v in values)
    (answer,) = [v for v in values if isinstance(v, CommandAcknowledgement)]
    assert answer.message_id == cmd.message_id and answer.response.value == "ACK"


def test_a_late_reader_starts_at_the_end():
    bus = InMemoryBus("dummy")
    bus.add_service("monitor_data")
    early = bus.transport()
    assert early.poll(0.1)
    late = bus.transport()
    # only recent heartbeats are read back (what ran before it started)
    assert late.replays_status
    assert all(m.stream.kind is StreamKind.LIVEDATA_STATUS for m in late.poll(0.0))
    assert late.poll(0.0) == []
    # but the commands topic can be replayed from the beginning (G5)
    early.send(Message(Timestamp.now(), COMMANDS_STREAM, start_config()))
    assert len(late.restore_configs(1.0)) == 1


def test_a_service_ignores_commands_sent_before_it_started():
    bus = InMemoryBus("dummy")
    client = bus.transport()
    client.send(Message(Timestamp.now(), COMMANDS_STREAM, start_config()))
    bus.add_service("monitor_data")
    values = [m.value for m in client.poll(0.1)]
    assert not any(isinstance(v, CommandAcknowledgement) for v in values)


def test_poll_waits_for_a_send_from_another_thread():
    import threading

    bus = InMemoryBus("dummy")
    reader, writer = bus.transport(), bus.transport()
    cmd = start_config()
    timer = threading.Timer(
        0.05, lambda: writer.send(Message(Timestamp.now(), COMMANDS_STREAM, cmd))
    )
    timer.start()
    got = reader.poll(5.0)
    timer.join()
    assert [m.value for m in got] == [cmd]
