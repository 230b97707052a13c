"""The f144 attribute registry (G8): only registered log streams are processed."""

from __future__ import annotations

from livedata.core.batching import MessageBatch
from livedata.core.events import LogValue
from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.processor import StreamPreprocessors
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.instruments.registry import get_instrument
from livedata.kafka.routing import build_service_adapter
from livedata.kafka.wire_builders import f144_message
from livedata.preprocessors import StreamPreprocessorFactory

T0 = 1_785_000_000_000_000_000


def test_dummy_registers_its_two_motors_with_units_and_ranges() -> None:
    registry = get_instrument("dummy").log_attributes
    assert set(registry) == {"motion1", "motion2"}
    assert registry["motion1"].unit == "mm"
    assert registry["motion2"].unit == "deg"
    for attributes in registry.values():
        assert attributes.value_min < attributes.value_max
        assert attributes.dtype == "float64"


def log_message(name: str, ns: int, value: float) -> Message[LogValue]:
    return Message(Timestamp(ns), StreamId(StreamKind.LOG, name), LogValue(ns, value))


def test_unregistered_log_streams_are_dropped_and_counted() -> None:
    dummy = get_instrument("dummy")
    counters = Counters()
    factory = StreamPreprocessorFactory({}, dummy.log_attributes, counters=counters)
    preprocessors = StreamPreprocessors(factory, counters)
    messages = [
        log_message("motion1", T0, 1.0),
        log_message("temperature", T0, 300.0),
        log_message("motion1", T0 + 1, 2.0),
        log_message("temperature", T0 + 2, 301.0),
    ]
    batch = MessageBatch(Timestamp(T0), Timestamp(T0 + 10), messages)
    values = preprocessors.preprocess(batch)
    assert set(values) == {"motion1"}
    assert list(values["motion1"].values) == [1.0, 2.0]
    assert str(values["motion1"].unit) == "mm"
    assert counters.get("dropped_unknown_stream:log") == 2


def test_log_sources_outside_the_stream_mapping_never_reach_the_registry() -> None:
    """A PV the forwarder sends but the instrument does not map is counted at the edge."""
    dummy = get_instrument("dummy")
    counters = Counters()
    chain = build_service_adapter(dummy.stream_mapping(dev=True), counters)
    assert chain.adapt(f144_message("dummy_motion", "temperature", T0, 1.0)) is None
    assert counters.get("unknown_source:dummy_motion") == 1
    known = chain.adapt(f144_message("dummy_motion", "motion2", T0, 1.0))
    assert known.stream.name in dummy.log_attributes
