"""Consumer lag for ``livedata kafka lag`` and the console: how far behind
each service's consumer is, measured at the broker.

1. **Broker-side, committed offsets** (what ``kafka-consumer-groups`` shows).
   Every service instance consumes in a group of its own (broadcast: each sees
   every message) and commits the offsets it has processed or dropped; its
   heartbeats name the group (``stream_stats["consumer_group"]``). For each
   such group the probe reads the committed offset per partition and the
   log-end offset, so a stalled service (SIGSTOP, a hung reduction) shows
   growing lag at the next sample even though it says nothing. The time lag
   is the Kafka timestamp of the last record minus that of the record at the
   committed offset (the oldest one not processed). The embedded broker's
   high watermark is the base offset of the last batch plus one, so the true
   end is read from the last batch itself. A partition without a commit is
   unknown (``None``), never 0. Groups no heartbeat names (instances that are
   long gone) are left out unless ``heartbeat_groups_only=False``.

2. **Service-reported**, for services that commit nothing: their
   ``BackgroundMessageSource`` measures position vs high watermark and puts it
   in heartbeats as ``{"consumer_lag": {"<topic>/<partition>": n|null},
   "consumer_time_lag_s": {...}}`` (``livedata.kafka.lag_report``). A stalled
   service stops beating, so this cannot show it: it is the fallback only.

Each row keeps a trend (oldest first) and the peak since the probe started,
and carries how many messages the service's overload policy dropped, so
"behind" and "dropped" are told apart.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..core.status import ServiceState, ServiceStatus
from ..kafka.lag_report import (
    CONSUMER_GROUP_KEY,
    LAG_STATS_KEY,
    TIME_LAG_STATS_KEY,
    Partition,
    lag_stats,
    partition_label,
)
from .snapshots import LagRow

# The four services (livedata.services.builder.SERVICES; a test keeps them equal).
# Not imported from there: the builder pulls in the processing core.
SERVICE_NAMES = ("monitor_data", "detector_data", "data_reduction", "timeseries")
TREND_LENGTH = 20
# Re-exported: the stats format is defined next to where it is measured.
__all__ = [
    "LAG_STATS_KEY",
    "SERVICE_NAMES",
    "TIME_LAG_STATS_KEY",
    "TREND_LENGTH",
    "KafkaOffsetReader",
    "LagProbe",
    "NoBrokerReader",
    "OffsetReader",
    "Partition",
    "group_prefixes",
    "lag_stats",
    "partition_label",
]


def group_prefixes(
    instrument: str, services: Iterable[str] = SERVICE_NAMES
) -> tuple[str, ...]:
    """The group-name prefixes of an instrument's services (``{inst}_{svc}_``)."""
    return tuple(f"{instrument}_{service}_" for service in services)


def _parse_label(label: str) -> Partition | None:
    topic, sep, number = label.rpartition("/")
    if not sep or not topic:
        return None
    try:
        return topic, int(number)
    except ValueError:
        return None


def _optional_int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value >= 0 else None


def _optional_float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value >= 0 else None


class OffsetReader(Protocol):
    """What the probe asks the broker (a seam: tests use the real broker or a fake)."""

    def groups(self) -> list[str]: ...

    def committed(self, group: str) -> dict[Partition, int]:
        """Committed offsets of a group (partitions without a commit are absent)."""
        ...

    def watermarks(self, topic: str, partition: int) -> tuple[int, int] | None: ...

    def record_timestamp_ms(
        self, topic: str, partition: int, offset: int, low: int
    ) -> int | None:
        """Kafka timestamp of the record at ``offset`` (``low`` is the partition's
        first offset), or None when it cannot be read in time."""
        ...

    def close(self) -> None: ...


class NoBrokerReader:
    """:class:`OffsetReader` that knows no groups: lag from heartbeats only."""

    def groups(self) -> list[str]:
        return []

    def committed(self, group: str) -> dict[Partition, int]:
        return {}

    def watermarks(self, topic: str, partition: int) -> tuple[int, int] | None:
        return None

    def record_timestamp_ms(
        self, topic: str, partition: int, offset: int, low: int
    ) -> int | None:
        return None

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class _Measurement:
    group: str
    topic: str
    partition: int
    offset_lag: int | None
    time_lag_s: float | None
    end_offset: int | None = None
    committed: int | None = None
    consumer_group: str | None = None


class LagProbe:
    """Samples lag of an instrument's consumers; keeps a trend per partition."""

    def __init__(
        self,
        bootstrap: str,
        instrument: str,
        *,
        client_config: Mapping[str, Any] | None = None,
        services: Iterable[str] = SERVICE_NAMES,
        wall_clock: Callable[[], float] = time.time,
        trend_length: int = TREND_LENGTH,
        reader: OffsetReader | None = None,
        heartbeat_groups_only: bool = True,
    ) -> None:
        """``client_config`` carries security settings; ``reader`` replaces the
        Kafka reader (tests pass a fake and any bootstrap)."""
        self._heartbeat_groups_only = heartbeat_groups_only
        # observe() runs on a pump thread while sample() may run on another
        self._lock = threading.RLock()
        # consumer group -> service id, and service id -> dropped messages,
        # from heartbeats
        self._service_of_group: dict[str, str] = {}
        self._dropped: dict[str, int] = {}
        self._peaks: dict[tuple[str, str, int], int] = {}
        # (topic, partition) -> (high watermark, true end, last record's ms)
        self._ends: dict[Partition, tuple[int, int, int | None]] = {}
        self._reader = (
            reader
            if reader is not None
            else KafkaOffsetReader(bootstrap, client_config)
        )
        self._prefixes = group_prefixes(instrument, services)
        self._instrument = instrument
        self._clock = wall_clock
        self._trend_length = trend_length
        self._trends: dict[tuple[str, str, int], deque[float]] = {}
        self._reported: dict[str, tuple[LagRow, ...]] = {}

    @classmethod
    def from_heartbeats(
        cls, instrument: str, *, trend_length: int = TREND_LENGTH
    ) -> LagProbe:
        """A probe fed only by :meth:`observe`; it never contacts a broker."""
        return cls("", instrument, trend_length=trend_length, reader=NoBrokerReader())

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> LagProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- service-reported lag ----------------------------------------------

    def observe(self, status: ServiceStatus) -> None:
        """Take the lag a service reports in its heartbeat (see module docstring)."""
        with self._lock:
            self._observe(status)

    def _observe(self, status: ServiceStatus) -> None:
        if status.instrument != self._instrument:
            return
        if status.state is ServiceState.STOPPED:
            self._forget(status.service_id)
            return
        dropped = status.counters.get("queue_dropped_messages", 0)
        self._dropped[status.service_id] = int(dropped)
        group = status.stream_stats.get(CONSUMER_GROUP_KEY)
        if isinstance(group, str) and group:
            # Measured at the broker: its own report would only repeat it,
            # and stops when the service stalls.
            self._service_of_group[group] = status.service_id
            self._reported.pop(status.service_id, None)
            return
        offsets = status.stream_stats.get(LAG_STATS_KEY)
        if not isinstance(offsets, Mapping):
            return
        times = status.stream_stats.get(TIME_LAG_STATS_KEY)
        times = times if isinstance(times, Mapping) else {}
        rows = []
        for label, lag in offsets.items():
            where = _parse_label(str(label))
            if where is None:
                continue
            rows.append(
                _Measurement(
                    status.service_id,
                    *where,
                    _optional_int(lag),
                    _optional_float(times.get(label)),
                )
            )
        self._reported[status.service_id] = tuple(self._with_trend(m) for m in rows)

    def forget(self, service_id: str) -> None:
        """Drop a service's reported rows (it said goodbye) and their trends."""
        with self._lock:
            self._forget(service_id)

    def _forget(self, service_id: str) -> None:
        for row in self._reported.pop(service_id, ()):
            self._trends.pop((row.group, row.topic, row.partition), None)
        for group, service in list(self._service_of_group.items()):
            if service == service_id:
                del self._service_of_group[group]
        self._dropped.pop(service_id, None)

    def reported_rows(self) -> tuple[LagRow, ...]:
        """What the services last reported, sorted; no broker I/O, no new point."""
        with self._lock:
            rows = [row for rows in self._reported.values() for row in rows]
        rows.sort(key=lambda r: (r.group, r.topic, r.partition))
        return tuple(rows)

    # --- sampling -----------------------------------------------------------

    def sample(self) -> tuple[LagRow, ...]:
        """Measure committed groups now, add service reports; sorted by group."""
        measured = list(self._measure_committed())  # broker I/O, no lock held
        with self._lock:
            rows = [self._with_trend(m) for m in measured]
        rows.extend(self.reported_rows())
        rows.sort(key=lambda r: (r.group, r.topic, r.partition))
        return tuple(rows)

    def _with_trend(self, m: _Measurement) -> LagRow:
        key = (m.group, m.topic, m.partition)
        trend = self._trends.setdefault(key, deque(maxlen=self._trend_length))
        if m.offset_lag is not None:
            trend.append(float(m.offset_lag))
            self._peaks[key] = max(self._peaks.get(key, 0), m.offset_lag)
        return LagRow(
            group=m.group,
            topic=m.topic,
            partition=m.partition,
            offset_lag=m.offset_lag,
            time_lag_s=m.time_lag_s,
            trend=tuple(trend),
            end_offset=m.end_offset,
            committed=m.committed,
            peak_lag=self._peaks.get(key),
            dropped=self._dropped.get(m.group),
            consumer_group=m.consumer_group,
        )

    def _measure_committed(self) -> Iterable[_Measurement]:
        with self._lock:
            known = dict(self._service_of_group)
        groups = sorted(
            g
            for g in self._reader.groups()
            if g.startswith(self._prefixes)
            and (g in known or not self._heartbeat_groups_only)
        )
        for group in groups:
            name = known.get(group, group)
            for (topic, partition), committed in sorted(
                self._reader.committed(group).items()
            ):
                offset_lag, time_lag, end = self._lag_of(topic, partition, committed)
                yield _Measurement(
                    name, topic, partition, offset_lag, time_lag, end, committed, group
                )

    def _end_of(self, topic: str, partition: int, low: int, high: int):
        """(true end offset, Kafka ms of the last record or None), cached while
        the high watermark stays put."""
        cached = self._ends.get((topic, partition))
        if cached is not None and cached[0] == high:
            return cached[1], cached[2]
        last = getattr(self._reader, "last_record", None)
        if last is None or high <= low:
            end, stamp = high, None
        else:
            end, stamp = last(topic, partition, low, high)
        self._ends[(topic, partition)] = (high, end, stamp)
        return end, stamp

    def _lag_of(
        self, topic: str, partition: int, committed: int
    ) -> tuple[int | None, float | None, int | None]:
        marks = self._reader.watermarks(topic, partition)
        if marks is None or committed < 0:
            return None, None, None
        low, high = marks
        end, last_ms = self._end_of(topic, partition, low, high)
        # Records below ``low`` are gone: the consumer can only resume at ``low``.
        position = max(committed, low)
        if position >= end:  # caught up
            return 0, 0.0, end
        stamp = self._reader.record_timestamp_ms(topic, partition, position, low)
        if stamp is None or stamp <= 0:
            return end - position, None, end
        newest = self._clock() if last_ms is None or last_ms <= 0 else last_ms / 1000
        return end - position, max(0.0, newest - stamp / 1000), end


class KafkaOffsetReader:
    """:class:`OffsetReader` over confluent-kafka: an admin client for groups and
    offsets, and one never-committing consumer to read watermarks and records."""

    def __init__(
        self,
        bootstrap: str,
        client_config: Mapping[str, Any] | None = None,
        *,
        timeout: float = 5.0,
    ) -> None:
        import logging

        from confluent_kafka import Consumer
        from confluent_kafka.admin import AdminClient

        base = {
            **(client_config or {}),
            "bootstrap.servers": bootstrap,
            # never on the operator's terminal (the console shows these lines)
            "logger": logging.getLogger("livedata.kafka.librdkafka"),
        }
        self._timeout = timeout
        self._admin = AdminClient(base)
        self._consumer = Consumer(
            {
                **base,
                "group.id": f"livedata_lag_probe_{time.time_ns()}",
                "enable.auto.commit": False,
                "enable.partition.eof": False,
            }
        )

    def groups(self) -> list[str]:
        listing = self._admin.list_consumer_groups(
            request_timeout=self._timeout
        ).result()
        return [group.group_id for group in listing.valid]

    def committed(self, group: str) -> dict[Partition, int]:
        from confluent_kafka import ConsumerGroupTopicPartitions

        futures = self._admin.list_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(group)], request_timeout=self._timeout
        )
        result = futures[group].result()
        return {
            (tp.topic, tp.partition): tp.offset
            for tp in result.topic_partitions or ()
            if tp.error is None and tp.offset >= 0
        }

    def watermarks(self, topic: str, partition: int) -> tuple[int, int] | None:
        from confluent_kafka import KafkaException, TopicPartition

        try:
            marks = self._consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=self._timeout
            )
        except KafkaException:
            return None
        if marks is None or marks[1] < 0:
            return None
        return int(marks[0]), int(marks[1])

    def record_timestamp_ms(
        self, topic: str, partition: int, offset: int, low: int
    ) -> int | None:
        from confluent_kafka import OFFSET_BEGINNING, TopicPartition

        # An explicit offset equal to the start makes the embedded broker's
        # fetches crawl; the logical OFFSET_BEGINNING reads the same record.
        start = OFFSET_BEGINNING if offset <= low else offset
        self._consumer.assign([TopicPartition(topic, partition, start)])
        deadline = time.monotonic() + self._timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                record = self._consumer.poll(min(left, 0.5))
                if record is None or record.error() is not None:
                    continue
                if record.offset() >= offset:  # the first record at or after it
                    return int(record.timestamp()[1])
            return None
        finally:
            self._consumer.unassign()

    def last_record(
        self, topic: str, partition: int, low: int, high: int
    ) -> tuple[int, int | None]:
        """(offset after the last record, its Kafka ms): read from the last
        batch, because the embedded broker's high watermark is that batch's
        base offset plus one (Kafka's is the offset after the last record)."""
        from confluent_kafka import OFFSET_BEGINNING, TopicPartition

        start = high - 1
        where = OFFSET_BEGINNING if start <= low else start
        self._consumer.assign([TopicPartition(topic, partition, where)])
        end, stamp = high, None
        deadline = time.monotonic() + self._timeout
        quiet_until = None
        try:
            while (left := deadline - time.monotonic()) > 0:
                records = self._consumer.consume(500, min(left, 0.2))
                got = [r for r in records if r.error() is None]
                for record in got:
                    if record.offset() + 1 >= end:
                        end, stamp = record.offset() + 1, int(record.timestamp()[1])
                if got:
                    quiet_until = time.monotonic() + 0.1
                elif quiet_until is not None and time.monotonic() >= quiet_until:
                    break
            return end, stamp
        finally:
            self._consumer.unassign()

    def close(self) -> None:
        self._consumer.close()
