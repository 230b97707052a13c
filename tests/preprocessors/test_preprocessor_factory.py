"""StreamPreprocessorFactory: accumulators by kind, logs only from the registry (G8)."""

from __future__ import annotations

import pytest

from livedata.core.events import LogValue
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.metrics import Counters
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.preprocessors import (
    Cumulative,
    EventChunks,
    LatestValue,
    StreamPreprocessorFactory,
    ToNXlog,
)

REGISTRY = {
    "temperature": LogDataAttributes(unit="K", value_min=0.0, value_max=10.0),
}


def make_factory(counters: Counters | None = None) -> StreamPreprocessorFactory:
    return StreamPreprocessorFactory(
        {
            StreamKind.DETECTOR_EVENTS: lambda stream: EventChunks(),
            StreamKind.MONITOR_COUNTS: lambda stream: Cumulative(clear_on_get=True),
            StreamKind.LIVEDATA_ROI: lambda stream: LatestValue(),
        },
        REGISTRY,
        counters=counters,
    )


def test_makes_accumulators_by_stream_kind() -> None:
    factory = make_factory()
    assert isinstance(
        factory.make_preprocessor(StreamId(StreamKind.DETECTOR_EVENTS, "panel_0")),
        EventChunks,
    )
    assert isinstance(
        factory.make_preprocessor(StreamId(StreamKind.MONITOR_COUNTS, "monitor1")),
        Cumulative,
    )
    assert isinstance(
        factory.make_preprocessor(StreamId(StreamKind.LIVEDATA_ROI, "p/1/roi")),
        LatestValue,
    )


def test_each_stream_gets_its_own_accumulator() -> None:
    factory = make_factory()
    stream = StreamId(StreamKind.DETECTOR_EVENTS, "panel_0")
    assert factory.make_preprocessor(stream) is not factory.make_preprocessor(stream)


def test_unknown_kinds_get_none() -> None:
    factory = make_factory()
    assert factory.make_preprocessor(StreamId(StreamKind.AREA_DETECTOR, "cam")) is None


def test_logs_in_the_registry_get_nxlog_with_its_attributes() -> None:
    counters = Counters()
    factory = make_factory(counters)
    log = factory.make_preprocessor(StreamId(StreamKind.LOG, "temperature"))
    assert isinstance(log, ToNXlog)
    log.add(Timestamp(1), LogValue(timestamp_ns=1_700_000_000_000_000_000, value=50.0))
    assert log.get().unit == "K"
    assert counters.get("log_values_out_of_range") == 1  # shared counters


def test_logs_not_in_the_registry_get_none() -> None:
    factory = make_factory()
    assert factory.make_preprocessor(StreamId(StreamKind.LOG, "pressure")) is None


def test_log_accumulator_can_be_customised() -> None:
    factory = StreamPreprocessorFactory(
        {},
        REGISTRY,
        make_log=lambda stream, attributes: ToNXlog(attributes, max_entries=5),
    )
    assert isinstance(
        factory.make_preprocessor(StreamId(StreamKind.LOG, "temperature")), ToNXlog
    )
    assert factory.make_preprocessor(StreamId(StreamKind.LOG, "other")) is None


def test_log_kind_in_makers_is_refused() -> None:
    with pytest.raises(ValueError):
        StreamPreprocessorFactory({StreamKind.LOG: lambda stream: LatestValue()}, {})
