"""Core value types: time, stream ids, message ordering, in-memory source and sink."""

import datetime as dt

import pytest

from livedata.core.in_memory import InMemorySink, InMemorySource
from livedata.core.message import Message
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import PULSE_PERIOD, Duration, Timestamp


def test_duration_arithmetic_is_exact_in_ns():
    assert Duration.from_seconds(1.5) == Duration(1_500_000_000)
    assert Duration.from_ms(71.4).ns == 71_400_000
    assert (Duration(10) + Duration(5)).ns == 15
    assert (Duration(10) - Duration(15)).ns == -5
    assert (3 * Duration(7)).ns == 21
    assert Duration(100) // Duration(30) == 3
    assert Duration.from_seconds(2).to_seconds() == 2.0


def test_timestamp_arithmetic_and_conversion():
    t = Timestamp(1_700_000_000_123_000_000)
    assert t + Duration(1) == Timestamp(t.ns + 1)
    assert (t + Duration(5)) - t == Duration(5)
    assert t - Duration(5) == Timestamp(t.ns - 5)
    assert t.to_datetime() == dt.datetime(
        2023, 11, 14, 22, 13, 20, 123000, tzinfo=dt.UTC
    )
    assert str(t).startswith("2023-11-14T22:13:20.123")
    assert Timestamp.from_seconds(1.0).ns == 1_000_000_000
    assert Timestamp(1) < Timestamp(2)


def test_pulse_period_is_14_hz():
    assert PULSE_PERIOD.ns == 1_000_000_000 // 14


def test_stream_kinds_are_the_wire_names():
    names = {k.value for k in StreamKind}
    assert names == {
        "unknown",
        "monitor_counts",
        "monitor_events",
        "detector_events",
        "area_detector",
        "log",
        "device",
        "livedata_commands",
        "livedata_responses",
        "livedata_data",
        "livedata_nicos_data",
        "livedata_roi",
        "livedata_status",
        "run_control",
    }


def test_stream_ids_are_hashable_values():
    a = StreamId(StreamKind.LOG, "motion1")
    assert a == StreamId(StreamKind.LOG, "motion1")
    assert len({a, StreamId(StreamKind.LOG, "motion1")}) == 1
    assert str(a) == "log:motion1"


def test_messages_compare_by_timestamp_only():
    s1 = StreamId(StreamKind.LOG, "b")
    s2 = StreamId(StreamKind.LOG, "a")
    late = Message(Timestamp(2), s2, 1)
    early = Message(Timestamp(1), s1, 2)
    assert sorted([late, early]) == [early, late]
    with pytest.raises(AttributeError):
        early.value = 3  # frozen


def test_in_memory_source_drains_and_sink_collects():
    stream = StreamId(StreamKind.LOG, "x")
    msgs = [Message(Timestamp(i), stream, i) for i in range(3)]
    source = InMemorySource(msgs[:1])
    source.feed(msgs[1:])
    assert source.get_messages() == msgs
    assert source.get_messages() == []
    sink = InMemorySink()
    sink.publish_messages(msgs)
    assert sink.take() == msgs
    assert sink.messages == []
