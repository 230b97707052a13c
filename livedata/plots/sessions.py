"""Browser sessions (D1): one per tab, tracked by heartbeat, swept when gone.

Each session's periodic callback calls :meth:`SessionRegistry.heartbeat` while
its browser is connected; the updater thread calls :meth:`expire`, which drops
sessions silent for ``timeout_s`` (30 s; a page still loading, that has not
beaten yet, gets ``START_GRACE_S``) and runs their cleanup (releasing the
feeds they held). Thread-safe: heartbeats come from the server's event loop,
expiry from the updater thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

SESSION_TIMEOUT_S = 30.0
# A page that has not yet beaten (still loading its scripts on a busy machine)
# is given at least this long; one that never connects is dropped by the server.
START_GRACE_S = 60.0


@dataclass
class _Session:
    session_id: str
    last_seen: float
    cleanup: Callable[[], None] | None
    beaten: bool = False


class SessionRegistry:
    def __init__(
        self,
        timeout_s: float = SESSION_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout_s = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self.expired_total = 0

    def register(
        self, session_id: str, cleanup: Callable[[], None] | None = None
    ) -> None:
        with self._lock:
            self._sessions[session_id] = _Session(session_id, self._clock(), cleanup)

    def heartbeat(self, session_id: str) -> bool:
        """Mark alive; False when the session is unknown (already expired)."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return False
            session.last_seen = self._clock()
            session.beaten = True
            return True

    def remove(self, session_id: str) -> bool:
        """Drop a session now (its document was destroyed); runs its cleanup."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is not None and session.cleanup is not None:
            session.cleanup()
        return session is not None

    def expire(self) -> list[str]:
        """Drop sessions silent for ``timeout_s``; their ids."""
        now = self._clock()
        with self._lock:
            gone = [
                s
                for s in self._sessions.values()
                if now - s.last_seen
                > (self.timeout_s if s.beaten else max(self.timeout_s, START_GRACE_S))
            ]
            for session in gone:
                del self._sessions[session.session_id]
            self.expired_total += len(gone)
        for session in gone:
            if session.cleanup is not None:
                session.cleanup()
        return [s.session_id for s in gone]

    def ids(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._sessions)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        with self._lock:
            return session_id in self._sessions
