"""Outgoing core messages -> Kafka records (C5): da00, x5f2 and JSON."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..core.message import Message
from ..core.status import JobStatus, ServiceStatus, status_json
from ..core.stream import StreamKind
from .stream_mapping import livedata_topic

HEARTBEAT_INTERVAL_MS = 2000


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    topic: str
    key: bytes | None
    value: bytes


class Serialiser:
    """Turns what services and clients publish into records on livedata's topics."""

    def __init__(
        self, instrument: str, *, host: str | None = None, pid: int | None = None
    ) -> None:
        self._instrument = instrument
        self._host = host or socket.gethostname()
        self._pid = pid if pid is not None else os.getpid()

    def __call__(self, message: Message[Any]) -> OutgoingRecord:
        kind = message.stream.kind
        topic = livedata_topic(self._instrument, kind) if kind in _TOPIC_KINDS else None
        # Results, ROI requests and NICOS values are da00 keyed by their stream
        # name: a result key, a ROI stream, or a NICOS device name.
        if kind in _DA00_KINDS:
            from streaming_data_types import dataarray_da00

            from .da00_compat import scipp_to_da00

            value = dataarray_da00.serialise_da00(
                source_name=message.stream.name,
                timestamp_ns=message.timestamp.ns,
                data=scipp_to_da00(message.value),
            )
            return OutgoingRecord(topic, message.stream.name.encode(), value)
        if kind is StreamKind.LIVEDATA_RESPONSES:
            return OutgoingRecord(topic, None, message.value.model_dump_json().encode())
        if kind is StreamKind.LIVEDATA_COMMANDS:
            cmd = message.value
            return OutgoingRecord(
                topic, cmd.config_key().encode(), cmd.model_dump_json().encode()
            )
        if kind is StreamKind.LIVEDATA_STATUS:
            return OutgoingRecord(topic, None, self._heartbeat(message.value))
        raise ValueError(f"livedata does not publish {kind.value} streams")

    def _heartbeat(self, status: ServiceStatus | JobStatus) -> bytes:
        # Imported here: commands (JSON) are all a CLI publishes; see adapters.py.
        from streaming_data_types import status_x5f2

        return status_x5f2.serialise_x5f2(
            software_name="livedata",
            software_version=__version__,
            service_id=status.service_id,
            host_name=self._host,
            process_id=self._pid,
            update_interval=HEARTBEAT_INTERVAL_MS,
            status_json=json.dumps(status_json(status)),
        )


_DA00_KINDS = frozenset(
    {StreamKind.LIVEDATA_DATA, StreamKind.LIVEDATA_ROI, StreamKind.LIVEDATA_NICOS_DATA}
)
_TOPIC_KINDS = frozenset(
    {
        StreamKind.LIVEDATA_DATA,
        StreamKind.LIVEDATA_NICOS_DATA,
        StreamKind.LIVEDATA_ROI,
        StreamKind.LIVEDATA_RESPONSES,
        StreamKind.LIVEDATA_COMMANDS,
        StreamKind.LIVEDATA_STATUS,
    }
)
