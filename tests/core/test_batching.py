"""SimpleMessageBatcher and NaiveMessageBatcher: the data is the clock (B2, G1, G2)."""

from __future__ import annotations

from livedata.core.batching import (
    MessageBatch,
    NaiveMessageBatcher,
    SimpleMessageBatcher,
)
from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Duration, Timestamp

T0 = Timestamp.from_seconds(1_700_000_000)  # a whole second
STREAM = StreamId(StreamKind.MONITOR_COUNTS, "monitor1")


def at(seconds: float, value: object = None) -> Message[object]:
    return Message(T0 + Duration.from_seconds(seconds), STREAM, value)


def seconds(ts: Timestamp) -> float:
    return round((ts - T0).to_seconds(), 9)


def window(batch: MessageBatch) -> tuple[float, float]:
    return seconds(batch.start_time), seconds(batch.end_time)


def values(batch: MessageBatch) -> list[object]:
    return [m.value for m in batch.messages]


class WallClock:
    """A wall clock the test moves: T0 + ``seconds``."""

    def __init__(self, seconds: float = 10.0) -> None:
        self.seconds = seconds

    def __call__(self) -> Timestamp:
        return T0 + Duration.from_seconds(self.seconds)


def make_batcher(
    length: float = 1.0, clock: WallClock | None = None
) -> tuple[SimpleMessageBatcher, Counters]:
    counters = Counters()
    batcher = SimpleMessageBatcher(
        Duration.from_seconds(length),
        counters=counters,
        wall_clock=clock or WallClock(),
    )
    return batcher, counters


def test_no_messages_no_batches() -> None:
    batcher, _ = make_batcher()
    assert batcher.batch([]) == []


def test_window_stays_open_until_a_message_reaches_its_end() -> None:
    batcher, _ = make_batcher()
    assert batcher.batch([at(0.2, "a"), at(0.9, "b")]) == []
    assert batcher.batch([at(0.999, "c")]) == []
    (batch,) = batcher.batch([at(1.0, "d")])
    assert window(batch) == (0.0, 1.0)
    assert values(batch) == ["a", "b", "c"]


def test_windows_are_aligned_to_multiples_of_the_batch_length() -> None:
    batcher, _ = make_batcher(length=0.5)
    batcher.batch([at(1.3, "a")])
    (batch,) = batcher.batch([at(1.6, "b")])
    assert window(batch) == (1.0, 1.5)
    (batch,) = batcher.batch([at(2.0, "c")])
    assert window(batch) == (1.5, 2.0)
    assert values(batch) == ["b"]


def test_one_call_can_close_several_windows_in_order() -> None:
    batcher, _ = make_batcher()
    batches = batcher.batch([at(0.1, "a"), at(1.1, "b"), at(2.1, "c"), at(3.5, "d")])
    assert [window(b) for b in batches] == [(0, 1), (1, 2), (2, 3)]
    assert [values(b) for b in batches] == [["a"], ["b"], ["c"]]


def test_messages_within_a_batch_are_sorted_by_timestamp() -> None:
    batcher, _ = make_batcher()
    batcher.batch([at(0.7, "c"), at(0.1, "a")])
    batcher.batch([at(0.4, "b")])
    (batch,) = batcher.batch([at(1.2, "d")])
    assert values(batch) == ["a", "b", "c"]
    stamps = [m.timestamp for m in batch.messages]
    assert stamps == sorted(stamps)


def test_out_of_order_within_one_call_is_not_late() -> None:
    batcher, counters = make_batcher()
    batcher.batch([at(0.5, "a")])
    batches = batcher.batch([at(1.5, "c"), at(0.8, "b")])
    assert [values(b) for b in batches] == [["a", "b"]]
    assert counters.get("late_messages") == 0


def test_late_messages_join_the_open_window_and_are_counted() -> None:
    batcher, counters = make_batcher()
    batcher.batch([at(0.5, "a")])
    (first,) = batcher.batch([at(1.5, "b")])
    assert values(first) == ["a"]
    assert batcher.batch([at(0.7, "late")]) == []
    (second,) = batcher.batch([at(2.1, "c")])
    assert window(second) == (1.0, 2.0)  # start_time "lies" for the late message
    assert values(second) == ["late", "b"]
    assert counters.get("late_messages") == 1


def test_a_gap_yields_exactly_one_empty_batch() -> None:
    clock = WallClock(1.0)
    batcher, _ = make_batcher(clock=clock)
    batcher.batch([at(0.5, "a")])
    clock.seconds = 3601.0  # an hour of wall time passes without data
    batches = batcher.batch([at(3600.5, "b")])
    assert [window(b) for b in batches] == [(0, 1), (1, 3600)]
    assert values(batches[1]) == []
    (after,) = batcher.batch([at(3601.0, "c")])
    assert window(after) == (3600, 3601)
    assert values(after) == ["b"]


def test_no_empty_batch_when_the_next_window_follows_directly() -> None:
    batcher, _ = make_batcher()
    batcher.batch([at(0.5)])
    batches = batcher.batch([at(1.99)])
    assert [window(b) for b in batches] == [(0, 1)]


def test_absurd_timestamps_are_dropped_and_counted() -> None:
    batcher, counters = make_batcher()
    absurd = [
        Message(Timestamp(0), STREAM, "zero"),
        Message(Timestamp(-5), STREAM, "negative"),
        Message(Timestamp.from_seconds(900_000_000), STREAM, "1998"),
        at(10 + 300 + 1, "future"),  # wall clock is T0 + 10 s, skew 5 min
    ]
    assert batcher.batch([at(0.5, "a"), *absurd]) == []
    assert counters.get("dropped_absurd_timestamp") == 4
    # the broken future timestamp did not move the clock: "b" is not late
    (batch,) = batcher.batch([at(0.6, "b"), at(1.2, "c")])
    assert values(batch) == ["a", "b"]
    assert counters.get("late_messages") == 0


def test_timestamps_within_the_allowed_future_skew_are_kept() -> None:
    batcher, counters = make_batcher()
    batcher.batch([at(0.5, "a"), at(300 + 5, "soon")])
    assert counters.get("dropped_absurd_timestamp") == 0


def test_default_batch_length_is_one_second() -> None:
    assert SimpleMessageBatcher().batch_length == Duration.from_seconds(1)


def test_naive_batcher_returns_everything_at_once() -> None:
    batcher = NaiveMessageBatcher()
    assert batcher.batch([]) == []
    (batch,) = batcher.batch([at(5.0, "b"), at(1.0, "a")])
    assert values(batch) == ["a", "b"]
    assert batch.start_time == T0 + Duration.from_seconds(1)
    assert batch.end_time == T0 + Duration.from_seconds(5) + Duration(1)
