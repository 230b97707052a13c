"""The CLI on the in-memory bus: real services in-process, real commands, no Kafka.

``MemorySystem`` installs itself as the CLI's plane source (``use_planes``), so
``invoke("job", "start", ...)`` runs the real command, which talks through a real
``ControlPlane`` over a ``MemoryTransport`` to real ``OrchestratingProcessor``
services that serialise and deserialise every message as on Kafka.

The services' wall clock runs ``SPEED`` times faster than real time, so their
2 s heartbeats come every 0.1 s: commands that first listen for heartbeats
(``job stop --all``) answer quickly without a fake clock on the client side.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from livedata.cli.common import fail
from livedata.cli.planes import use_planes
from livedata.control.memory_transport import InMemoryBus, InProcessService
from livedata.control.plane import ControlPlane
from livedata.control.transport import Transport
from livedata.core.message import Message
from livedata.core.timestamp import Timestamp

SPEED = 20.0


class FastWallClock:
    """A wall clock for the services that runs ``speed`` times real time."""

    def __init__(self, speed: float = SPEED) -> None:
        self._speed = speed
        self._origin_ns = time.time_ns()
        self._began = time.monotonic()

    def __call__(self) -> Timestamp:
        elapsed = (time.monotonic() - self._began) * self._speed
        return Timestamp(self._origin_ns + round(elapsed * 1e9))


class RefusingTransport:
    """A link that refuses sends after ``allow`` of them (a broker gone away)."""

    def __init__(self, inner: Transport, allow: int = 0) -> None:
        self._inner = inner
        self._allow = allow

    def send(self, message: Message[Any]) -> None:
        if self._allow <= 0:
            raise ConnectionError("broker connection lost")
        self._allow -= 1
        self._inner.send(message)

    def poll(self, timeout: float) -> list[Message[Any]]:
        return self._inner.poll(timeout)

    def close(self) -> None:
        self._inner.close()


class MemorySystem:
    """A dummy-instrument bus, its services, and the planes the CLI opens on it."""

    def __init__(self, *services: str) -> None:
        self.bus = InMemoryBus("dummy")
        self.wall_clock = FastWallClock()
        self.services: dict[str, InProcessService] = {
            name: self.bus.add_service(name, wall_clock=self.wall_clock)
            for name in services
        }
        self.wrap: Callable[[Transport], Transport] = lambda transport: transport
        self.opened: list[tuple[str, float]] = []

    def plane(
        self,
        instrument: str,
        bootstrap: str | None,
        timeout: float,
        *,
        with_data: bool = False,
        **_: Any,
    ) -> ControlPlane:
        """What ``open_plane`` returns while this system is installed."""
        from livedata.control.data_service import DataService

        if instrument != self.bus.instrument:
            fail(f"no bus for instrument {instrument!r} in this test")
        self.opened.append((instrument, timeout))
        plane = ControlPlane(
            instrument,
            self.wrap(self.bus.transport(with_data=with_data)),
            data_service=DataService() if with_data else None,
            persist=False,
            command_timeout_s=timeout,
            poll_timeout_s=0.02,
        )
        return plane.start()

    @contextmanager
    def installed(self) -> Iterator[MemorySystem]:
        with use_planes(self.plane):
            yield self

    def client(self) -> ControlPlane:
        """A plane of the test's own, e.g. to start jobs behind the CLI's back."""
        return ControlPlane(
            "dummy", self.bus.transport(with_data=False), persist=False
        ).start()

    def run_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Step the services until ``predicate`` holds (no client is polling)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.bus.step()
            found = predicate()
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError(f"condition not met within {timeout} s")
