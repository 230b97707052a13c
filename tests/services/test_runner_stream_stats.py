"""A service's heartbeats carry its source's consumer lag (``stream_stats``)."""

from livedata.core.in_memory import InMemorySink, InMemorySource
from livedata.core.metrics import Counters
from livedata.core.status import ServiceStatus
from livedata.instruments import get_instrument
from livedata.services.builder import build_processor


def test_service_heartbeats_carry_the_stream_stats_of_the_source():
    lags = {"consumer_lag": {"dummy_detector/0": 3}, "consumer_time_lag_s": {}}
    sink = InMemorySink()
    processor = build_processor(
        get_instrument("dummy"),
        "detector_data",
        InMemorySource(),
        sink,
        counters=Counters(),
        stream_stats=lambda: lags,
    )
    processor.process()
    beats = [m.value for m in sink.take() if isinstance(m.value, ServiceStatus)]
    assert beats, "the first cycle sends a heartbeat"
    assert beats[-1].stream_stats == lags


def test_a_failing_stream_stats_provider_costs_the_stats_not_the_heartbeat():
    def broken():
        raise RuntimeError("consumer gone")

    counters = Counters()
    sink = InMemorySink()
    processor = build_processor(
        get_instrument("dummy"),
        "detector_data",
        InMemorySource(),
        sink,
        counters=counters,
        stream_stats=broken,
    )
    processor.process()
    beats = [m.value for m in sink.take() if isinstance(m.value, ServiceStatus)]
    assert beats and beats[-1].stream_stats == {}
    assert counters.get("stream_stats_errors") == 1
