"""Shared pieces of the control-plane tests: a fake clock and an in-memory setup."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from livedata.control.memory_transport import InMemoryBus, InProcessService
from livedata.control.plane import ControlPlane
from livedata.control.transport import Transport
from livedata.core.message import Message
from livedata.core.timestamp import Timestamp


class FakeClock:
    """One clock for both sides: monotonic seconds for the client, a wall clock
    for the services' heartbeats; both move only by ``advance``.

    The wall clock reads ``wall_at_start_ns`` (default: now plus ``t`` seconds)
    at the start and moves with the monotonic one.
    """

    def __init__(self, t: float = 1000.0, wall_at_start_ns: int | None = None) -> None:
        self.t = t
        if wall_at_start_ns is None:
            wall_at_start_ns = time.time_ns() + round(t * 1e9)
        self._epoch_ns = wall_at_start_ns - round(t * 1e9)

    def __call__(self) -> float:
        return self.t

    def wall_ns(self) -> int:
        return self._epoch_ns + round(self.t * 1e9)

    def wall(self) -> Timestamp:
        return Timestamp(self.wall_ns())

    def advance(self, seconds: float) -> None:
        self.t += seconds


class ForwardingTransport:
    """Hands everything to ``inner``; a subclass changes what a send does, as a
    broken link would."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner

    def send(self, message: Message[Any]) -> None:
        self._inner.send(message)

    def poll(self, timeout: float) -> list[Message[Any]]:
        return self._inner.poll(timeout)

    def close(self) -> None:
        self._inner.close()


class DroppingTransport(ForwardingTransport):
    """Loses the sends ``drop`` selects."""

    def __init__(self, inner: Transport, drop: Callable[[Message[Any]], bool]) -> None:
        super().__init__(inner)
        self._drop = drop
        self.dropped: list[Message[Any]] = []

    def send(self, message: Message[Any]) -> None:
        if self._drop(message):
            self.dropped.append(message)
        else:
            super().send(message)


class Setup:
    """A bus, services on it, and control planes, all on one fake clock."""

    def __init__(self, state_dir: Path, *services: str) -> None:
        self.clock = FakeClock()
        self.bus = InMemoryBus("dummy")
        self.state_dir = state_dir
        self.services: dict[str, InProcessService] = {
            name: self.bus.add_service(name, wall_clock=self.clock.wall)
            for name in services
        }

    def plane(self, transport: Transport | None = None, **options: Any) -> ControlPlane:
        return ControlPlane(
            "dummy",
            transport or self.bus.transport(),
            clock=self.clock,
            state_dir=options.pop("state_dir", self.state_dir),
            **options,
        )

    def beat(self, *planes: ControlPlane, seconds: float = 2.0) -> None:
        """Advance both clocks by one heartbeat interval and deliver the beats."""
        self.clock.advance(seconds)
        for plane in planes:
            plane.pump_once()

    def commands_sent(self) -> int:
        return self.bus.end("dummy_livedata_commands")
