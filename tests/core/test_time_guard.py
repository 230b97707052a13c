"""One message stamped far ahead never becomes the clock (issue 11)."""

from __future__ import annotations

from livedata.core.batching import NaiveMessageBatcher, SimpleMessageBatcher
from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.stream import StreamId, StreamKind
from livedata.core.time_guard import TimeGuard
from livedata.core.timestamp import Duration, Timestamp

T0 = Timestamp.from_seconds(1_700_000_000)
DET = StreamId(StreamKind.DETECTOR_EVENTS, "panel_0")
AREA = StreamId(StreamKind.AREA_DETECTOR, "area_panel")
LOG = StreamId(StreamKind.LOG, "motion1")


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> Timestamp:
        return T0 + Duration.from_seconds(self.seconds)


def at(stream: StreamId, seconds: float, value: object = None) -> Message[object]:
    return Message(T0 + Duration.from_seconds(seconds), stream, value)


def test_one_far_ahead_message_does_not_stall_other_streams() -> None:
    clock, counters = Clock(), Counters()
    batcher = SimpleMessageBatcher(counters=counters, wall_clock=clock)
    closed = []
    for step in range(40):  # 4 s of data at 10 Hz, two streams
        clock.seconds = step / 10
        messages = [at(DET, step / 10), at(AREA, step / 10)]
        if step == 5:
            messages.append(at(DET, step / 10 + 30 * 60, "hostile"))  # 30 min ahead
        closed.extend(batcher.batch(messages))
    assert [b.start_time for b in closed] == [
        T0 + Duration.from_seconds(s) for s in (0, 1, 2)
    ]
    assert all(m.value != "hostile" for b in closed for m in b.messages)
    assert counters.get("late_messages") == 0
    assert counters.get("dropped_absurd_timestamp") == 1  # beyond wall + 5 min


def test_one_message_a_minute_and_more_ahead_is_held_then_dropped() -> None:
    clock, counters = Clock(), Counters()
    batcher = SimpleMessageBatcher(counters=counters, wall_clock=clock)
    closed = []
    for step in range(40):
        clock.seconds = step / 10
        messages = [at(DET, step / 10), at(AREA, step / 10)]
        if step == 5:
            messages.append(at(DET, step / 10 + 120, "hostile"))  # within skew
        closed.extend(batcher.batch(messages))
    assert len(closed) == 3
    assert all(m.value != "hostile" for b in closed for m in b.messages)
    assert counters.get("dropped_time_jump") == 0  # still held: hold is 10 s
    clock.seconds = 15.0
    batcher.batch([at(DET, 15.0)])
    assert counters.get("dropped_time_jump") == 1


def test_replayed_old_data_is_guarded_relative_to_its_stream() -> None:
    """Data from 2023 replayed now: the wall clock cannot tell, the stream can."""
    clock, counters = Clock(), Counters()
    clock.seconds = 10**8  # years after the data
    guard = TimeGuard(counters, clock)
    kept = guard.filter([at(DET, 0.0), at(DET, 0.1), at(DET, 1800.0), at(DET, 0.2)])
    assert [m.timestamp for m in kept] == [
        T0 + Duration.from_seconds(s) for s in (0.0, 0.1, 0.2)
    ]


def test_a_data_gap_in_wall_time_is_not_a_jump() -> None:
    clock, counters = Clock(), Counters()
    guard = TimeGuard(counters, clock)
    assert len(guard.filter([at(LOG, 0.0)])) == 1
    clock.seconds = 7200.0  # a log value that changes every two hours
    assert len(guard.filter([at(LOG, 7200.0)])) == 1
    assert counters.get("dropped_time_jump") == 0


def test_a_confirmed_jump_is_accepted() -> None:
    clock, counters = Clock(), Counters()
    guard = TimeGuard(counters, clock, confirm=3)
    clock.seconds = 10**8
    guard.filter([at(DET, 0.0)])
    kept = guard.filter([at(DET, 600.0), at(DET, 600.1)])
    assert kept == []
    kept = guard.filter([at(DET, 600.2)])
    assert len(kept) == 3
    assert counters.get("time_jumps_accepted") == 1


def test_timeseries_batcher_drops_far_future_log_values() -> None:
    clock, counters = Clock(), Counters()
    batcher = NaiveMessageBatcher(counters=counters, wall_clock=clock)
    batcher.batch([at(LOG, 0.0, 1.0)])
    (batch,) = batcher.batch([at(LOG, 0.5, 2.0), at(LOG, 3600.0, "future")])
    assert [m.value for m in batch.messages] == [2.0]
    assert counters.get("dropped_absurd_timestamp") == 1  # beyond wall + 5 min


def test_flush_closes_the_open_window_once() -> None:
    clock = Clock()
    batcher = SimpleMessageBatcher(wall_clock=clock)
    batcher.batch([at(DET, 0.2, "a"), at(DET, 0.4, "b")])
    (batch,) = batcher.flush()
    assert [m.value for m in batch.messages] == ["a", "b"]
    assert batcher.flush() == []
