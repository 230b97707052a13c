"""Consumer lag for ``livedata kafka lag``: how far behind each consumer is.

Two sources, because livedata's own services cannot be measured from outside:

1. **Broker-side, committed offsets.** For every consumer group whose name
   starts with ``{instrument}_{service}_`` (the names ``make_consumer_config``
   gives), the committed offset of each partition against its high watermark
   gives the offset lag; the time lag is *now* minus the timestamp of the record
   at the committed offset (the oldest record the group has not processed),
   fetched by reading that record, because the embedded broker does not
   implement ``offsets_for_times``. A group that is caught up has lag 0 and time
   lag 0.0; a partition without a commit is unknown (``None``), never 0.

2. **Service-reported.** The services assign partitions explicitly and run with
   ``enable.auto.commit: false`` (``CONSUMER_DEFAULTS``), so the broker holds no
   position for them and (1) sees nothing. Only the service knows where it is:
   its ``BackgroundMessageSource`` measures position vs high watermark per
   partition. :meth:`LagProbe.observe` reads that from a service heartbeat's
   ``stream_stats`` in the form ``{"consumer_lag": {"<topic>/<partition>": n|null},
   "consumer_time_lag_s": {"<topic>/<partition>": s|null}}`` (the group column is
   then the service id). The format is ``livedata.kafka.lag_report``'s.

The probe keeps a short history per row, so an operator sees whether a consumer
is catching up or falling behind (``LagRow.trend``, oldest first): one point per
broker sample for (1), one per heartbeat for (2). The control plane keeps a
heartbeats-only probe (:meth:`LagProbe.from_heartbeats`) for the console's Lag
view: it never asks the broker, so building a snapshot costs no I/O.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..core.status import ServiceState, ServiceStatus
from ..kafka.lag_report import (
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
    ) -> None:
        """``client_config`` carries security settings; ``reader`` replaces the
        Kafka reader (tests pass a fake and any bootstrap)."""
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
        if status.instrument != self._instrument:
            return
        if status.state is ServiceState.STOPPED:
            self.forget(status.service_id)
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
        for row in self._reported.pop(service_id, ()):
            self._trends.pop((row.group, row.topic, row.partition), None)

    def reported_rows(self) -> tuple[LagRow, ...]:
        """What the services last reported, sorted; no broker I/O, no new point."""
        rows = [row for rows in self._reported.values() for row in rows]
        rows.sort(key=lambda r: (r.group, r.topic, r.partition))
        return tuple(rows)

    # --- sampling -----------------------------------------------------------

    def sample(self) -> tuple[LagRow, ...]:
        """Measure committed groups now, add service reports; sorted by group."""
        rows = [self._with_trend(m) for m in self._measure_committed()]
        rows.extend(self.reported_rows())
        rows.sort(key=lambda r: (r.group, r.topic, r.partition))
        return tuple(rows)

    def _with_trend(self, m: _Measurement) -> LagRow:
        trend = self._trends.setdefault(
            (m.group, m.topic, m.partition), deque(maxlen=self._trend_length)
        )
        if m.offset_lag is not None:
            trend.append(float(m.offset_lag))
        return LagRow(
            group=m.group,
            topic=m.topic,
            partition=m.partition,
            offset_lag=m.offset_lag,
            time_lag_s=m.time_lag_s,
            trend=tuple(trend),
        )

    def _measure_committed(self) -> Iterable[_Measurement]:
        groups = sorted(
            g for g in self._reader.groups() if g.startswith(self._prefixes)
        )
        for group in groups:
            for (topic, partition), committed in sorted(
                self._reader.committed(group).items()
            ):
                offset_lag, time_lag = self._lag_of(topic, partition, committed)
                yield _Measurement(group, topic, partition, offset_lag, time_lag)

    def _lag_of(
        self, topic: str, partition: int, committed: int
    ) -> tuple[int | None, float | None]:
        marks = self._reader.watermarks(topic, partition)
        if marks is None or committed < 0:
            return None, None
        low, high = marks
        # Records below ``low`` are gone: the consumer can only resume at ``low``.
        position = max(committed, low)
        if position >= high:  # caught up (the embedded broker's high can trail)
            return 0, 0.0
        stamp = self._reader.record_timestamp_ms(topic, partition, position, low)
        if stamp is None or stamp <= 0:
            return high - position, None
        return high - position, max(0.0, self._clock() - stamp / 1000)


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
        from confluent_kafka import Consumer
        from confluent_kafka.admin import AdminClient

        base = {**(client_config or {}), "bootstrap.servers": bootstrap}
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

    def close(self) -> None:
        self._consumer.close()
