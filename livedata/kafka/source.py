"""Kafka consumption on a background thread, drained by the processing loop (C2, G3).

The processing thread must never wait on the network, and a slow processing
cycle must not make the consumer fall behind forever: a daemon thread polls
Kafka, adapts records to core messages and queues them in batches bounded in
number and in bytes (one ev44 message at 12e6 events/s is ~7 MB, so a count
alone does not bound memory); when either bound is exceeded the *oldest*
batches are dropped (fresh data matters more than stale data) and counted in
``queue_dropped_{batches,messages,events,bytes}``.

The thread also measures the consumer's lag (offsets and time) for heartbeats:
:meth:`BackgroundMessageSource.stream_stats` in ``livedata.kafka.lag_report``'s
format.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from confluent_kafka import KafkaError, TopicPartition

from ..core.events import DetectorEvents, MonitorEvents
from ..core.message import Message
from ..core.metrics import Counters
from .lag_report import CONSUMER_GROUP_KEY, Partition, lag_stats
from .raw import from_confluent

logger = logging.getLogger(__name__)


class KafkaRecordLike(Protocol):
    """What ``consume()`` returns: confluent-kafka's ``Message`` surface we use."""

    def error(self) -> KafkaError | None: ...
    def topic(self) -> str | None: ...
    def partition(self) -> int | None: ...
    def offset(self) -> int | None: ...
    def key(self) -> bytes | None: ...
    def value(self) -> bytes | None: ...
    def timestamp(self) -> tuple[int, int]: ...


class ConsumerLike(Protocol):
    """The part of confluent-kafka's ``Consumer`` the source uses."""

    def consume(self, num_messages: int, timeout: float) -> list[Any]: ...
    def assignment(self) -> list[TopicPartition]: ...
    def assign(self, partitions: list[TopicPartition]) -> None: ...
    def list_topics(self, topic: str | None = None, timeout: float = -1) -> Any: ...
    def position(self, partitions: list[TopicPartition]) -> list[TopicPartition]: ...
    def get_watermark_offsets(
        self,
        partition: TopicPartition,
        timeout: float | None = None,
        cached: bool = False,
    ) -> tuple[int, int] | None: ...
    def commit(self, *, offsets: list[TopicPartition], asynchronous: bool) -> Any: ...
    def close(self) -> None: ...


Adapt = Callable[[Any], Message[Any] | None]

DEFAULT_MAX_QUEUE_BYTES = 64 * 1024**2  # as config/defaults/service.yaml


@dataclass(frozen=True, slots=True)
class _QueuedBatch:
    """Messages of one ``consume()`` and the raw record bytes they came from."""

    messages: list[Message[Any]]
    nbytes: int
    # (topic, partition) -> the offset after the last record of the batch
    ends: Mapping[Partition, int] = field(default_factory=dict)


def _merge_ends(into: dict[Partition, int], ends: Mapping[Partition, int]) -> None:
    for key, end in ends.items():
        if end > into.get(key, -1):
            into[key] = end


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _event_count(messages: list[Message[Any]]) -> int:
    """Neutron events among ``messages`` (what a drop loses, for the counters)."""
    return sum(
        len(m.value)
        for m in messages
        if isinstance(m.value, DetectorEvents | MonitorEvents)
    )


@dataclass(frozen=True)
class SourceHealth:
    """A snapshot for heartbeats and the console."""

    thread_alive: bool
    healthy: bool
    consecutive_errors: int
    last_error: str | None
    seconds_since_last_message: float | None
    queued_batches: int
    # (topic, partition) -> messages behind the high watermark; None = unknown.
    lag: Mapping[Partition, int | None]
    # (topic, partition) -> the last high watermark seen; None = not yet known.
    high_watermarks: Mapping[Partition, int | None]
    # (topic, partition) -> seconds between now and the Kafka timestamp of the
    # last record consumed while behind; 0.0 when caught up; None = unknown.
    time_lag_s: Mapping[Partition, float | None] = field(default_factory=dict)
    queued_bytes: int = 0


class BackgroundMessageSource:
    """A ``MessageSource`` fed by a daemon thread polling a Kafka consumer.

    The source owns the consumer: :meth:`stop` closes it. ``adapt`` turns one
    record (a :class:`RawMessage` unless ``to_record`` says otherwise) into
    a core message, or ``None`` to drop it (the adapter counts why).
    """

    def __init__(
        self,
        consumer: ConsumerLike,
        adapt: Adapt,
        *,
        counters: Counters | None = None,
        max_queue_batches: int = 100,
        max_queue_bytes: int = DEFAULT_MAX_QUEUE_BYTES,
        poll_batch: int = 1000,
        poll_timeout: float = 0.1,
        circuit_breaker_errors: int = 10,
        lag_interval: float = 1.0,
        topic_check_interval: float = 2.0,
        to_record: Callable[[KafkaRecordLike], Any] = from_confluent,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        commit_interval: float | None = None,
        group_id: str | None = None,
    ) -> None:
        """``max_queue_bytes`` bounds the raw record bytes held in the queue;
        ``wall_clock`` (seconds since the epoch) is compared with Kafka
        timestamps for the time lag. With ``commit_interval`` (seconds) the
        offsets of what was processed (or dropped by the overload policy) are
        committed for the consumer's group (``group_id``), so the broker can
        tell how far behind it is (``livedata kafka lag``)."""
        if min(max_queue_batches, max_queue_bytes, circuit_breaker_errors) < 1:
            raise ValueError(
                "max_queue_batches, max_queue_bytes and circuit_breaker_errors"
                " must be >= 1"
            )
        self._consumer = consumer
        self._adapt = adapt
        self._to_record = to_record
        self.counters = counters if counters is not None else Counters()
        self._max_batches = max_queue_batches
        self._max_bytes = max_queue_bytes
        self._poll_batch = poll_batch
        self._poll_timeout = poll_timeout
        self._breaker_errors = circuit_breaker_errors
        self._clock = clock
        self._wall_clock = wall_clock
        self._lag_interval = lag_interval

        self._lock = threading.Lock()
        self._queue: deque[_QueuedBatch] = deque()
        self._queued_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._consecutive_errors = 0
        self._last_error: str | None = None
        self._breaker_open = False
        self._last_message_at: float | None = None
        self._lag: dict[Partition, int | None] = {}
        self._high_watermarks: dict[Partition, int | None] = {}
        self._time_lag_s: dict[Partition, float | None] = {}
        # Kafka timestamp (ms) of the last record consumed per partition; only
        # the polling thread touches it.
        self._last_timestamp_ms: dict[Partition, int] = {}
        self._lag_measured_at: float | None = None
        # Committing: what the processing thread took with the last
        # get_messages (done at the next one), what is done (processed or
        # dropped), and what the broker was last told.
        self._commit_interval = commit_interval
        self._group_id = group_id
        self._handed: dict[Partition, int] = {}
        self._done: dict[Partition, int] = {}
        self._committed: dict[Partition, int] = {}
        self._committed_at: float | None = None
        # Broker faults (issue 11): the partitions we must read, those of them
        # the broker lost, and why we cannot read right now.
        self._topic_check_interval = topic_check_interval
        self._topics_checked_at: float | None = None
        self._wanted: dict[str, set[int]] | None = None
        self._lost_topics: set[str] = set()
        self._read_problem: str | None = None

    # --- lifecycle -------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, name="kafka-background-source", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling, join the thread, close the consumer (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("background source thread did not stop in %s s", timeout)
                return  # closing under a running consume() is unsafe
        if not self._closed:
            self._closed = True
            self._commit(final=True)
            try:
                self._consumer.close()
            except Exception as exc:
                logger.warning("closing the consumer failed: %s", exc)

    # --- MessageSource -----------------------------------------------------

    def get_messages(self) -> list[Message[Any]]:
        """Everything queued since the last call, oldest first; never blocks."""
        with self._lock:
            batches = list(self._queue)
            self._queue.clear()
            self._queued_bytes = 0
            # What the last call handed out has been processed by now.
            _merge_ends(self._done, self._handed)
            self._handed = {}
            for batch in batches:
                _merge_ends(self._handed, batch.ends)
        return [message for batch in batches for message in batch.messages]

    # --- health ------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        return not self._breaker_open

    def health(self) -> SourceHealth:
        alive = self._thread is not None and self._thread.is_alive()
        with self._lock:
            return SourceHealth(
                thread_alive=alive,
                healthy=self.healthy,
                consecutive_errors=self._consecutive_errors,
                last_error=self._last_error,
                seconds_since_last_message=(
                    None
                    if self._last_message_at is None
                    else self._clock() - self._last_message_at
                ),
                queued_batches=len(self._queue),
                lag=dict(self._lag),
                high_watermarks=dict(self._high_watermarks),
                time_lag_s=dict(self._time_lag_s),
                queued_bytes=self._queued_bytes,
            )

    @property
    def warning(self) -> str | None:
        """Why the source cannot read right now (a heartbeat's reason for WARN)."""
        with self._lock:
            if self._lost_topics:
                return (
                    "topics missing on the broker: "
                    f"{', '.join(sorted(self._lost_topics))}; waiting for them"
                )
            if self._read_problem is not None:
                return f"cannot read from Kafka: {self._read_problem}"
        return None

    def stream_stats(self) -> dict[str, Any]:
        """The consumer lag for a heartbeat's ``stream_stats`` (any thread),
        and the group whose committed offsets the broker holds."""
        with self._lock:
            stats = lag_stats(self._lag, self._time_lag_s)
        if self._group_id is not None and self._commit_interval is not None:
            stats[CONSUMER_GROUP_KEY] = self._group_id
        return stats

    def _commit(self, final: bool = False) -> None:
        """Tell the broker what is done (polling thread, or after it ended)."""
        if self._commit_interval is None:
            return
        with self._lock:
            done = dict(self._done)
            if final:
                _merge_ends(done, self._handed)
        offsets = [
            TopicPartition(topic, partition, end)
            for (topic, partition), end in done.items()
            if self._committed.get((topic, partition)) != end
        ]
        self._committed_at = self._clock()
        if not offsets:
            return
        try:
            self._consumer.commit(offsets=offsets, asynchronous=not final)
        except Exception as exc:  # e.g. no coordinator yet: retried next time
            self.counters.increment("commit_errors")
            if self.counters.get("commit_errors") == 1:
                logger.warning("committing consumed offsets failed: %s", exc)
            return
        self._committed.update(done)

    def _measure_lag(self) -> None:
        """Lag per assigned partition, measured on the polling thread.

        confluent-kafka deadlocks when another thread calls the consumer during
        ``consume()``, so the thread measures and :meth:`health` reads a copy.
        Cached watermarks only: no network round trip. Unknown gives ``None``.
        """
        lag: dict[Partition, int | None] = {}
        marks: dict[Partition, int | None] = {}
        try:
            positions = self._consumer.position(self._consumer.assignment())
        except Exception:
            positions = []
        for tp in positions:
            key = (tp.topic, tp.partition)
            high = self._cached_high_watermark(tp)
            marks[key] = high
            if tp.offset < 0 or high is None:
                lag[key] = None
            else:
                # The embedded broker's high watermark can trail the position.
                lag[key] = max(0, high - tp.offset)
        time_lag = {key: self._time_lag_of(key, behind) for key, behind in lag.items()}
        with self._lock:
            self._lag = lag
            self._high_watermarks = marks
            self._time_lag_s = time_lag
            self._lag_measured_at = self._clock()

    def _time_lag_of(self, key: Partition, behind: int | None) -> float | None:
        """Now minus the last consumed record's Kafka time while behind."""
        if behind is None:
            return None
        if behind == 0:
            return 0.0
        stamp_ms = self._last_timestamp_ms.get(key)
        if stamp_ms is None or stamp_ms <= 0:
            return None
        return max(0.0, self._wall_clock() - stamp_ms / 1000)

    def _cached_high_watermark(self, tp: TopicPartition) -> int | None:
        try:
            marks = self._consumer.get_watermark_offsets(
                TopicPartition(tp.topic, tp.partition), cached=True
            )
        except Exception:
            return None
        if marks is None or marks[1] < 0:
            return None
        return marks[1]

    # --- the thread ----------------------------------------------------------

    def _run(self) -> None:
        try:
            self._poll_until_stopped()
        except Exception as exc:  # a bug, not a Kafka error: say so, do not hide it
            logger.exception("kafka source thread crashed")
            with self._lock:
                self._breaker_open = True
                self._last_error = repr(exc)

    def _poll_until_stopped(self) -> None:
        while not self._stop.is_set():
            try:
                records = self._consumer.consume(self._poll_batch, self._poll_timeout)
            except Exception as exc:
                if self._on_consume_error(str(exc)):
                    return
                self._stop.wait(min(0.05 * self._consecutive_errors, 1.0))
                continue
            batch, nbytes, fatal, ends = self._adapt_all(records)
            if fatal is not None:
                if self._on_consume_error(fatal):
                    return
            else:
                self._consecutive_errors = 0
            if batch:
                self._enqueue(_QueuedBatch(batch, nbytes, ends))
            elif ends:  # nothing to process in them: done already
                with self._lock:
                    _merge_ends(self._done, ends)
            if self._commit_interval is not None and (
                self._committed_at is None
                or self._clock() - self._committed_at >= self._commit_interval
            ):
                self._commit()
            if (
                self._lag_measured_at is None
                or self._clock() - self._lag_measured_at >= self._lag_interval
            ):
                self._measure_lag()
            if (
                self._topics_checked_at is None
                or self._clock() - self._topics_checked_at >= self._topic_check_interval
            ):
                self._topics_checked_at = self._clock()
                self._check_topics()

    def _check_topics(self) -> None:
        """Notice topics the broker lost (a restart of an in-memory broker) and
        assign them again when they are back: a consumer would otherwise sit on
        partitions that no longer exist, reading nothing, for good."""
        try:
            if self._wanted is None:
                wanted: dict[str, set[int]] = {}
                for tp in self._consumer.assignment():
                    wanted.setdefault(tp.topic, set()).add(tp.partition)
                if not wanted:
                    return
                self._wanted = wanted
            metadata = self._consumer.list_topics(timeout=1.0)
        except Exception as exc:
            with self._lock:
                self._read_problem = _one_line(exc)
            return
        present = {
            name: set(meta.partitions)
            for name, meta in metadata.topics.items()
            if meta.error is None
        }
        lost = {t for t in self._wanted if t not in present}
        back = [
            t
            for t in self._wanted
            if t in present
            and (t in self._lost_topics or present[t] != self._wanted[t])
        ]
        if back:
            self._reassign(back, present)
        with self._lock:
            if lost and not self._lost_topics:
                logger.warning(
                    "topics missing on the broker: %s; reading resumes when they"
                    " are created again",
                    ", ".join(sorted(lost)),
                )
            self._lost_topics = lost
            self._read_problem = None

    def _reassign(self, topics: list[str], present: Mapping[str, set[int]]) -> None:
        """Read ``topics`` again from their start: what they hold is new."""
        from confluent_kafka import OFFSET_BEGINNING

        assert self._wanted is not None
        keep = [tp for tp in self._consumer.assignment() if tp.topic not in set(topics)]
        positions = self._consumer.position(keep) if keep else []
        fresh = [
            TopicPartition(t, p, OFFSET_BEGINNING) for t in topics for p in present[t]
        ]
        self._consumer.assign([*positions, *fresh])
        for t in topics:
            self._wanted[t] = set(present[t])
        with self._lock:  # offsets of the lost topics mean nothing any more
            for offsets in (self._done, self._handed, self._committed):
                for key in [k for k in offsets if k[0] in set(topics)]:
                    del offsets[key]
        self.counters.increment("topics_reassigned", len(topics))
        logger.warning(
            "topics back on the broker: %s; assigned again from their start",
            ", ".join(sorted(topics)),
        )

    def _on_consume_error(self, error: str) -> bool:
        """Count one failed consume; True when the circuit breaker opens."""
        self._consecutive_errors += 1
        self._last_error = error
        with self._lock:
            self._read_problem = error
        self.counters.increment("consume_errors")
        logger.warning(
            "kafka consume failed (%d in a row): %s", self._consecutive_errors, error
        )
        if self._consecutive_errors >= self._breaker_errors:
            self._breaker_open = True
            logger.error(
                "kafka source stopped after %d consecutive errors: %s",
                self._consecutive_errors,
                error,
            )
            return True
        return False

    def _adapt_all(
        self, records: list[Any]
    ) -> tuple[list[Message[Any]], int, str | None, dict[Partition, int]]:
        """Adapted messages, their records' bytes, a fatal client error if any,
        and the offset after the last record read per partition."""
        batch: list[Message[Any]] = []
        nbytes = 0
        fatal: str | None = None
        ends: dict[Partition, int] = {}
        for record in records:
            error = record.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                self.counters.increment("kafka_message_errors")
                with self._lock:
                    self._read_problem = error.str()
                logger.warning("kafka message error: %s", error.str())
                if error.fatal():
                    fatal = error.str()
                continue
            with self._lock:
                self._last_message_at = self._clock()
                self._read_problem = None
            self._remember_timestamp(record)
            offset = record.offset()
            if offset is not None and offset >= 0:
                key = (record.topic() or "", record.partition() or 0)
                if offset + 1 > ends.get(key, -1):
                    ends[key] = offset + 1
            try:
                message = self._adapt(self._to_record(record))
            except Exception as exc:
                self.counters.increment("adapt_errors")
                logger.warning(
                    "adapting a message from %s failed: %r", record.topic(), exc
                )
                continue
            if message is not None:
                batch.append(message)
                nbytes += len(record.value() or b"")
        return batch, nbytes, fatal, ends

    def _remember_timestamp(self, record: KafkaRecordLike) -> None:
        topic, partition = record.topic(), record.partition()
        if topic is None or partition is None:
            return
        _, stamp_ms = record.timestamp()
        self._last_timestamp_ms[(topic, partition)] = stamp_ms

    def _enqueue(self, batch: _QueuedBatch) -> None:
        """Queue a batch, then drop the oldest ones while a bound is exceeded.

        The newest batch always stays, even alone above ``max_queue_bytes``:
        librdkafka's own buffer bounds how large one ``consume()`` can be.
        """
        dropped: list[_QueuedBatch] = []
        with self._lock:
            self._queue.append(batch)
            self._queued_bytes += batch.nbytes
            while len(self._queue) > 1 and (
                len(self._queue) > self._max_batches
                or self._queued_bytes > self._max_bytes
            ):
                oldest = self._queue.popleft()
                self._queued_bytes -= oldest.nbytes
                dropped.append(oldest)
                _merge_ends(self._done, oldest.ends)  # skipped, never processed
        if dropped:
            self._count_dropped(dropped)

    def _count_dropped(self, dropped: list[_QueuedBatch]) -> None:
        before = self.counters.get("queue_dropped_batches")
        self.counters.increment("queue_dropped_batches", len(dropped))
        self.counters.increment(
            "queue_dropped_messages", sum(len(b.messages) for b in dropped)
        )
        self.counters.increment(
            "queue_dropped_events", sum(_event_count(b.messages) for b in dropped)
        )
        self.counters.increment("queue_dropped_bytes", sum(b.nbytes for b in dropped))
        after = before + len(dropped)
        if before == 0 or after // 100 > before // 100:
            logger.warning(
                "message queue full: dropped the oldest batches (%d so far)", after
            )
