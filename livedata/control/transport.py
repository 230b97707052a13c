"""The seam between the control plane and the bus it talks over (D6).

A transport sends commands and hands back adapted client messages; the control
plane never sees topics, bytes or Kafka. Two implementations carry the same
serialised bytes: Kafka (kafka_transport.py) and an in-process bus with real
services behind it (memory_transport.py) for tests and offline use.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ..core.commands import JobCommand, WorkflowConfig
from ..core.message import Message

# Recent heartbeats per partition a transport reads back at start: services (and
# their jobs) that stopped beating just before the client started are listed,
# not missed (a transport that does says so with ``replays_status = True``).
STATUS_HISTORY = 2000


class Transport(Protocol):
    """Carries commands out and adapted client messages in."""

    def send(self, message: Message[Any]) -> None:
        """Publish one command (``COMMANDS_STREAM``); raises when it cannot be sent."""
        ...

    def poll(self, timeout: float) -> list[Message[Any]]:
        """Adapted messages that arrived since the last call (may be empty)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ConnectionState:
    """What a transport knows of its broker link (console header)."""

    address: str
    connected: bool
    since_s: float | None = None  # wall clock: when it went down (or came up)


class RoiRequestReader(Protocol):
    """A transport that can read back the ROI requests still on the bus (D12)."""

    def roi_requests(
        self, stream_names: Collection[str], timeout: float
    ) -> dict[str, Message[Any]]: ...


def latest_per_key(
    commands: Iterable[WorkflowConfig | JobCommand],
) -> list[WorkflowConfig | JobCommand]:
    """Keep the last command per ``config_key`` in order of last appearance.

    The commands topic is not compacted (G5), so a reader deduplicates itself.
    """
    latest: dict[str, WorkflowConfig | JobCommand] = {}
    for command in commands:
        key = command.config_key()
        latest.pop(key, None)
        latest[key] = command
    return list(latest.values())
