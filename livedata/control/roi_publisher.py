"""Publishing a job's ROI requests at a pace the service can follow (D12).

A drag produces an edit per mouse move; the service applies ROIs once per batch
window. :class:`CoalescingThrottle` lets at most one value through per
``min_interval_s`` and keeps only the newest of the rest, which goes out as soon
as the interval has passed (``due``) or at once on release (``flush``): the last
edit is never lost. :class:`RoiPublisher` sends a request's two wire arrays on
the job's two ROI streams, and only the kinds that changed since the last send.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..core.message import Message
from ..core.stream import StreamId, StreamKind
from ..core.timestamp import Timestamp
from .roi import SHAPES, RoiRequest, roi_stream_name

T = TypeVar("T")

# At most four updates a second while dragging: a batch window is about 1 s.
DEFAULT_MIN_INTERVAL_S = 0.25


class CoalescingThrottle(Generic[T]):
    """At most one value per ``min_interval_s``; the newest pending one wins."""

    def __init__(
        self,
        min_interval_s: float = DEFAULT_MIN_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if min_interval_s < 0:
            raise ValueError("min_interval_s must not be negative")
        self._interval = min_interval_s
        self._clock = clock
        self._last_sent = float("-inf")
        self._pending: T | None = None
        self._has_pending = False

    @property
    def pending(self) -> bool:
        return self._has_pending

    def offer(self, value: T) -> tuple[bool, T | None]:
        """(True, value) when it may go now; else it is kept, (False, None)."""
        self._pending, self._has_pending = value, True
        return self.due()

    def due(self) -> tuple[bool, T | None]:
        """The pending value once the interval has passed (call it on a tick)."""
        if not self._has_pending:
            return False, None
        if self._clock() - self._last_sent < self._interval:
            return False, None
        return self.flush()

    def flush(self) -> tuple[bool, T | None]:
        """The pending value now, whatever the interval (on mouse release)."""
        if not self._has_pending:
            return False, None
        value, self._pending, self._has_pending = self._pending, None, False
        self._last_sent = self._clock()
        return True, value


class RoiPublisher:
    """One job's ROI streams: edits in, rate-limited da00 requests out.

    ``send`` is a transport's ``send`` (Kafka or the in-memory bus). The plot
    server calls :meth:`edit` on every change and :meth:`tick` from its update
    loop, :meth:`release` when a drag ends; the CLI calls :meth:`publish`.
    """

    def __init__(
        self,
        send: Callable[[Message[Any]], None],
        source_name: str,
        job_number: str,
        *,
        min_interval_s: float = DEFAULT_MIN_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], Timestamp] = Timestamp.now,
    ) -> None:
        self._send = send
        self._streams = {
            shape: StreamId(
                StreamKind.LIVEDATA_ROI, roi_stream_name(source_name, job_number, shape)
            )
            for shape in SHAPES
        }
        self._throttle: CoalescingThrottle[RoiRequest] = CoalescingThrottle(
            min_interval_s, clock
        )
        self._wall_clock = wall_clock
        self._last: dict[str, Any] = {}  # shape -> the last wire array sent
        self.sent = 0  # messages sent (two per request when both kinds change)
        self.last_request: RoiRequest | None = None

    def edit(self, request: RoiRequest) -> bool:
        """A change while editing; True when it was published now."""
        go, value = self._throttle.offer(request)
        return self._publish_if(go, value)

    def tick(self) -> bool:
        """Publish the newest held-back edit once the interval has passed."""
        return self._publish_if(*self._throttle.due())

    def release(self) -> bool:
        """The drag ended: publish the newest held-back edit now."""
        return self._publish_if(*self._throttle.flush())

    def publish(self, request: RoiRequest, *, force: bool = True) -> int:
        """Send ``request`` now (CLI); ``force`` sends both kinds even if unchanged.

        Returns the number of messages sent.
        """
        self._throttle.flush()  # a held-back edit is superseded by this one
        return self._send_request(request, force=force)

    def clear(self) -> int:
        """ "No ROI": empty arrays on both streams."""
        return self.publish(RoiRequest(unit=self._unit()), force=True)

    def _unit(self) -> str | None:
        return self.last_request.unit if self.last_request is not None else "m"

    def _publish_if(self, go: bool, request: RoiRequest | None) -> bool:
        if not go or request is None:
            return False
        return self._send_request(request, force=False) > 0

    def _send_request(self, request: RoiRequest, *, force: bool) -> int:
        arrays = request.to_dataarrays()
        now = self._wall_clock()
        sent = 0
        for shape, da in arrays.items():
            if not force and shape in self._last and _identical(self._last[shape], da):
                continue
            self._send(Message(now, self._streams[shape], da))
            self._last[shape] = da
            sent += 1
        self.sent += sent
        self.last_request = request
        return sent


def _identical(a: Any, b: Any) -> bool:
    import scipp as sc

    return sc.identical(a, b)
