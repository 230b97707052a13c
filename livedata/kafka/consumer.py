"""Consumer configuration and explicit partition assignment (C4).

Every process gets its own consumer group, so each service instance sees every
message (broadcast) and no group rebalancing ever happens; partitions are
assigned explicitly, which is immediate (a group join can take many seconds).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, TopicPartition

StartAt = Literal["end", "beginning"]

# The client settings the peers use (docs/wire.md); callers' settings override them.
CONSUMER_DEFAULTS: Mapping[str, Any] = {
    "enable.auto.commit": False,
    "auto.offset.reset": "latest",
    "fetch.wait.max.ms": 200,
    "fetch.max.bytes": 200_000_000,
}


class TopicsNotFound(LookupError):
    """Some topics to assign do not exist on the broker."""

    def __init__(self, missing: Iterable[str]) -> None:
        self.missing = tuple(sorted(missing))
        super().__init__(f"topics not found on the broker: {', '.join(self.missing)}")


def unique_group_id(group_prefix: str) -> str:
    """``{prefix}_{uuid4}``: one consumer group per process (C4)."""
    return f"{group_prefix}_{uuid.uuid4()}"


def make_consumer_config(
    bootstrap: str,
    group_prefix: str,
    base_config: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A confluent-kafka consumer config with a fresh, process-unique group.

    ``base_config`` (security settings, fetch tuning, an ``auto.offset.reset``
    override for clients that want history) is passed through untouched; only
    ``bootstrap.servers`` and ``group.id`` are always set here.
    """
    return {
        "logger": logging.getLogger("livedata.kafka.librdkafka"),
        **CONSUMER_DEFAULTS,
        **(base_config or {}),
        "bootstrap.servers": bootstrap,
        "group.id": unique_group_id(group_prefix),
        "allow.auto.create.topics": False,  # never create a topic by reading it
    }


def topic_partitions(
    consumer: Consumer, topics: Iterable[str], timeout: float = 10.0
) -> list[TopicPartition]:
    """Every partition of the given topics; raises :class:`TopicsNotFound`."""
    wanted = list(dict.fromkeys(topics))
    metadata = consumer.list_topics(timeout=timeout)
    missing = [
        t
        for t in wanted
        if t not in metadata.topics or metadata.topics[t].error is not None
    ]
    if missing:
        raise TopicsNotFound(missing)
    return [
        TopicPartition(topic, partition)
        for topic in wanted
        for partition in sorted(metadata.topics[topic].partitions)
    ]


def assign_all(
    consumer: Consumer,
    topics: Iterable[str],
    at: StartAt = "end",
    timeout: float = 10.0,
) -> list[TopicPartition]:
    """Assign every partition of ``topics`` at their end or beginning.

    Uses the logical offsets ``OFFSET_END`` / ``OFFSET_BEGINNING``, never an
    explicit offset (an explicit 0 makes the embedded broker's fetches crawl).
    Returns the assigned partitions.
    """
    if at not in ("end", "beginning"):
        raise ValueError(f"at must be 'end' or 'beginning', not {at!r}")
    offset = OFFSET_END if at == "end" else OFFSET_BEGINNING
    partitions = [
        TopicPartition(tp.topic, tp.partition, offset)
        for tp in topic_partitions(consumer, topics, timeout)
    ]
    consumer.assign(partitions)
    return partitions


def assign_from_now(
    consumer: Consumer,
    topics: Iterable[str],
    timeout: float = 10.0,
    back: Mapping[str, int] | None = None,
) -> list[TopicPartition]:
    """Assign every partition so that everything produced from now on is read.

    A logical ``OFFSET_END`` is resolved only at the first fetch, so an answer
    produced in between would be skipped; the high watermark, read now, is exact
    (the embedded broker's may trail by one batch: a client then sees a few old
    records, which it must treat as history anyway). An empty partition starts
    at ``OFFSET_BEGINNING`` (an explicit offset 0 makes the embedded broker's
    fetches crawl). Returns the partitions whose start is still logical and may
    need waiting for: those whose watermarks could not be read. ``back`` maps
    topics to a number of recent records per partition to read first (e.g.
    heartbeats: what was running before this client started).
    """
    back = back or {}
    unresolved: list[TopicPartition] = []
    assignment: list[TopicPartition] = []
    for tp in topic_partitions(consumer, topics, timeout):
        try:
            low, high = consumer.get_watermark_offsets(tp, timeout=timeout)
        except Exception:  # unknown: fall back to the logical end
            placed = TopicPartition(tp.topic, tp.partition, OFFSET_END)
            unresolved.append(placed)
        else:
            offset = high - back.get(tp.topic, 0)
            offset = offset if offset > max(low, 0) else OFFSET_BEGINNING
            placed = TopicPartition(tp.topic, tp.partition, offset)
        assignment.append(placed)
    consumer.assign(assignment)
    return unresolved
