"""Where the CLI's control planes come from: Kafka, unless another source is installed.

The ``job`` and ``services`` commands open their plane with :func:`open_plane`.
By default that checks that the broker answers (one line and exit 1 if not) and
connects a Kafka transport. :func:`use_planes` installs another
:class:`PlaneSource` for the length of a ``with`` block; the CLI tests run every
command on the in-memory bus, with real in-process services, that way (D6).

Imports stay inside the functions: this module is on the start-up path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..control.plane import ControlPlane


class PlaneSource(Protocol):
    def __call__(
        self,
        instrument: str,
        bootstrap: str | None,
        timeout: float,
        *,
        with_status: bool,
        with_data: bool = False,
    ) -> ControlPlane:
        """A started plane whose commands wait ``timeout`` s; may exit via ``fail``.

        ``with_data`` also keeps the results (a ``DataService``)."""
        ...


def kafka_plane(
    instrument: str,
    bootstrap: str | None,
    timeout: float,
    *,
    with_status: bool,
    with_data: bool = False,
) -> ControlPlane:
    """A started control plane on Kafka; exit 1 in one line if unreachable.

    ``with_status=False`` skips the heartbeats: starting a job needs only the
    acknowledgements (JSON), and not decoding x5f2 saves its import.
    """
    from ..control.plane import connect
    from ..kafka.admin import BrokerUnreachable
    from ..kafka.consumer import TopicsNotFound
    from .common import fail, reachable_settings

    address, settings = reachable_settings(bootstrap, timeout)
    data_service = None
    if with_data:
        from ..control.data_service import DataService

        data_service = DataService()
    try:
        return connect(
            instrument,
            address,
            client_config=settings,
            with_status=with_status,
            with_data=with_data,
            data_service=data_service,
            persist=False,
            command_timeout_s=timeout,
            # Short polls: closing waits for the pump's current poll to end.
            poll_timeout_s=0.02,
        )
    except BrokerUnreachable as err:
        fail(str(err))
    except TopicsNotFound as err:
        fail(f"{err} (create them with `livedata kafka topics create`)")


_source: PlaneSource = kafka_plane


def open_plane(
    instrument: str,
    bootstrap: str | None,
    timeout: float,
    *,
    with_status: bool = True,
    with_data: bool = False,
) -> ControlPlane:
    """The plane a command talks through, from the installed source."""
    if with_data:
        return _source(
            instrument, bootstrap, timeout, with_status=with_status, with_data=True
        )
    return _source(instrument, bootstrap, timeout, with_status=with_status)


@contextmanager
def use_planes(source: PlaneSource) -> Iterator[None]:
    """Open planes from ``source`` inside the block (tests, offline use)."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
