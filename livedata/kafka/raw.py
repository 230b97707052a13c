"""What a consumer hands to the adapter chain: one Kafka record, undecoded.

The one record type for bytes off (and onto) the wire: services, clients and
fakes all pass :class:`RawMessage` around.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RawMessage:
    """A Kafka record: topic, payload, key and the Kafka message time (ms)."""

    topic: str
    value: bytes
    key: bytes | None = None
    timestamp_ms: int = 0


def from_confluent(msg: Any) -> RawMessage:
    """Wrap a confluent-kafka ``Message`` (duck-typed: no import of the client).

    A record without a payload (a tombstone) becomes empty bytes, which the
    adapters count as an unknown schema.
    """
    _, timestamp = msg.timestamp()
    return RawMessage(
        topic=msg.topic() or "",
        value=msg.value() or b"",
        key=msg.key(),
        timestamp_ms=timestamp,
    )


def schema_id(buffer: bytes) -> str:
    """The FlatBuffer file identifier (bytes 4..8), or '' for non-FlatBuffers."""
    if len(buffer) < 8:
        return ""
    try:
        return bytes(buffer[4:8]).decode("ascii")
    except UnicodeDecodeError:
        return ""
