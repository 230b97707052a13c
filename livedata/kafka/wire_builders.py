"""Real FlatBuffer records for fake producers, benchmarks and tests."""

from __future__ import annotations

import numpy as np
from streaming_data_types import (
    area_detector_ad00,
    dataarray_da00,
    eventdata_ev44,
    logdata_f144,
)

from ..core.commands import JobCommand, WorkflowConfig
from ..core.stream import StreamKind
from .raw import RawMessage
from .stream_mapping import livedata_topic


def ev44_bytes(
    source: str,
    reference_time_ns: int,
    pixel_id: np.ndarray | None,
    time_of_arrival: np.ndarray,
    message_id: int = 0,
) -> bytes:
    return eventdata_ev44.serialise_ev44(
        source_name=source,
        message_id=message_id,
        reference_time=np.asarray([reference_time_ns], dtype=np.int64),
        reference_time_index=np.asarray([0], dtype=np.int32),
        time_of_flight=np.asarray(time_of_arrival, dtype=np.int32),
        pixel_id=(
            np.asarray(pixel_id, dtype=np.int32)
            if pixel_id is not None
            else np.zeros(0, dtype=np.int32)
        ),
    )


def ev44_message(
    topic: str,
    source: str,
    reference_time_ns: int,
    pixel_id,
    time_of_arrival,
    message_id: int = 0,
) -> RawMessage:
    value = ev44_bytes(source, reference_time_ns, pixel_id, time_of_arrival, message_id)
    return RawMessage(topic, value, None, reference_time_ns // 1_000_000)


def f144_message(topic: str, source: str, timestamp_ns: int, value) -> RawMessage:
    payload = logdata_f144.serialise_f144(source, value, timestamp_ns)
    return RawMessage(topic, payload, None, timestamp_ns // 1_000_000)


def ad00_message(
    topic: str, source: str, timestamp_ns: int, frame: np.ndarray, unique_id: int = 0
) -> RawMessage:
    payload = area_detector_ad00.serialise_ad00(source, unique_id, timestamp_ns, frame)
    return RawMessage(topic, payload, None, timestamp_ns // 1_000_000)


def da00_message(topic: str, source: str, timestamp_ns: int, da) -> RawMessage:
    from .da00_compat import scipp_to_da00

    payload = dataarray_da00.serialise_da00(source, timestamp_ns, scipp_to_da00(da))
    return RawMessage(topic, payload, None, timestamp_ns // 1_000_000)


def command_message(
    instrument: str, command: WorkflowConfig | JobCommand, timestamp_ms: int = 0
) -> RawMessage:
    topic = livedata_topic(instrument, StreamKind.LIVEDATA_COMMANDS)
    return RawMessage(
        topic,
        command.model_dump_json().encode(),
        command.config_key().encode(),
        timestamp_ms,
    )
