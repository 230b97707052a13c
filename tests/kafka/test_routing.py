"""The adapter chain: route by topic, then schema; bad input is counted, never raised."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import scipp as sc

from livedata.core.commands import JobAction, JobCommand
from livedata.core.metrics import Counters
from livedata.core.stream import COMMANDS_STREAM, StreamId, StreamKind
from livedata.instruments.dream.streams import PROD as DREAM_PROD
from livedata.instruments.dummy.streams import DEV, PROD
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import (
    RouteByTopic,
    build_client_adapter,
    build_service_adapter,
)
from livedata.kafka.wire_builders import (
    ad00_message,
    command_message,
    da00_message,
    ev44_message,
    f144_message,
)

T0 = 1_785_000_000_000_000_000


def histogram() -> sc.DataArray:
    return sc.DataArray(
        sc.array(dims=["toa"], values=[1.0, 2.0], unit="counts"),
        coords={"toa": sc.array(dims=["toa"], values=[0.0, 1.0, 2.0], unit="ms")},
    )


def test_service_chain_routes_every_raw_kind_of_the_dummy() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    raws = [
        ev44_message("dummy_detector", "panel_0", T0, [1, 2], [10, 20]),
        ev44_message("dummy_beam_monitor", "monitor1", T0, None, [10, 20]),
        da00_message("dummy_beam_monitor", "monitor2", T0, histogram()),
        f144_message("dummy_motion", "motion2", T0, 3.0),
        ad00_message(
            "dummy_area_detector", "area_panel", T0, np.ones((4, 4), np.int32)
        ),
        command_message("dummy", JobCommand(action=JobAction.RESET)),
        da00_message("dummy_livedata_roi", "panel_0/1/roi_rectangle", T0, histogram()),
    ]
    streams = [msg.stream for msg in chain.adapt_many(raws)]
    assert streams == [
        StreamId(StreamKind.DETECTOR_EVENTS, "panel_0"),
        StreamId(StreamKind.MONITOR_EVENTS, "monitor1"),
        StreamId(StreamKind.MONITOR_COUNTS, "monitor2"),
        StreamId(StreamKind.LOG, "motion2"),
        StreamId(StreamKind.AREA_DETECTOR, "area_panel"),
        COMMANDS_STREAM,
        StreamId(StreamKind.LIVEDATA_ROI, "panel_0/1/roi_rectangle"),
    ]
    assert counters.snapshot() == {}


def test_prod_chain_maps_facility_source_names() -> None:
    chain = build_service_adapter(PROD, Counters())
    monitor = chain.adapt(ev44_message("dummy_beam_monitor", "cbm2", T0, None, [1]))
    assert monitor.stream == StreamId(StreamKind.MONITOR_EVENTS, "monitor2")
    # The dummy has no logs in PROD; DREAM's chopper speed is an EPICS PV.
    dream = build_service_adapter(DREAM_PROD, Counters())
    speed = "DREAM-ChpSy1:Chop-BC-201:Spd_R"
    log = dream.adapt(f144_message("dream_choppers", speed, T0, 14.0))
    assert log.stream == StreamId(StreamKind.LOG, "band_chopper/rotation_speed")


def test_dev_source_names_are_unknown_in_prod() -> None:
    counters = Counters()
    chain = build_service_adapter(PROD, counters)
    assert (
        chain.adapt(ev44_message("dummy_beam_monitor", "monitor1", T0, None, [1]))
        is None
    )
    assert counters.get("unknown_source:dummy_beam_monitor") == 1


def test_topics_restrict_what_a_service_decodes() -> None:
    counters = Counters()
    chain = build_service_adapter(
        DEV, counters, topics=["dummy_beam_monitor", "dummy_livedata_commands"]
    )
    assert chain.topics == ["dummy_beam_monitor", "dummy_livedata_commands"]
    assert chain.adapt(ev44_message("dummy_detector", "panel_0", T0, [1], [1])) is None
    assert counters.get("unknown_topic") == 1


def test_merge_detectors_renames_every_bank() -> None:
    chain = build_service_adapter(DEV, Counters(), merge_detectors="merged")
    msg = chain.adapt(ev44_message("dummy_detector", "panel_0", T0, [1], [1]))
    assert msg.stream == StreamId(StreamKind.DETECTOR_EVENTS, "merged")


def test_unknown_topic_is_none_and_counted() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    raw = ev44_message("other_detector", "panel_0", T0, [1], [1])
    assert chain.adapt(raw) is None
    assert counters.snapshot() == {"unknown_topic": 1}


def test_unknown_schema_on_a_known_topic_is_none_and_counted() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    wrong = [
        f144_message("dummy_detector", "panel_0", T0, 1.0),
        ad00_message("dummy_beam_monitor", "monitor1", T0, np.ones((2, 2), np.int32)),
        ev44_message("dummy_motion", "motion1", T0, [1], [1]),
    ]
    assert chain.adapt_many(wrong) == []
    assert counters.get("adapt_errors:dummy_detector") == 1
    assert counters.get("adapt_errors:dummy_beam_monitor") == 1
    assert counters.get("adapt_errors:dummy_motion") == 1


def corrupt_payloads() -> list[bytes]:
    good = ev44_message("dummy_detector", "panel_0", T0, np.arange(50), np.arange(50))
    return [
        b"",
        b"not a flatbuffer",
        good.value[:12],
        good.value[:-100],
        good.value[:4] + b"ev44" + b"\xff" * 64,
        bytes(256),
    ]


@pytest.mark.parametrize("payload", corrupt_payloads())
def test_corrupt_bytes_never_raise(payload: bytes) -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    assert chain.adapt(RawMessage("dummy_detector", payload)) is None
    assert sum(counters.snapshot().values()) == 1


@pytest.mark.parametrize(
    "payload", [b"{", b'{"kind": "launch_missiles"}', b"\xff\xfe", b"[]"]
)
def test_bad_commands_are_counted_not_raised(payload: bytes) -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    assert chain.adapt(RawMessage("dummy_livedata_commands", payload)) is None
    assert counters.get("adapt_errors:dummy_livedata_commands") == 1


def test_errors_are_logged_on_first_and_every_thousandth(caplog) -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    bad = RawMessage("dummy_detector", b"garbage bytes")
    with caplog.at_level(logging.WARNING, logger="livedata.kafka.routing"):
        for _ in range(2001):
            chain.adapt(bad)
    assert counters.get("adapt_errors:dummy_detector") == 2001
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert "(1 so far)" in lines[0]
    assert "(1000 so far)" in lines[1]
    assert "(2000 so far)" in lines[2]
    assert all("dummy_detector" in line for line in lines)


def test_each_topic_and_error_type_gets_its_own_first_log(caplog) -> None:
    chain = build_service_adapter(DEV, Counters())
    with caplog.at_level(logging.WARNING, logger="livedata.kafka.routing"):
        chain.adapt(RawMessage("dummy_detector", b"garbage bytes"))
        chain.adapt(RawMessage("dummy_motion", b"garbage bytes"))
        chain.adapt(RawMessage("dummy_livedata_commands", b"{"))
        chain.adapt(RawMessage("dummy_detector", b"garbage bytes"))
    assert len(caplog.records) == 3


def test_error_log_is_one_line() -> None:
    """A pydantic error spans many lines; the log keeps only the first."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    log = logging.getLogger("livedata.kafka.routing")
    log.addHandler(handler)
    try:
        chain = build_service_adapter(DEV, Counters())
        chain.adapt(RawMessage("dummy_livedata_commands", b'{"kind": "x"}'))
    finally:
        log.removeHandler(handler)
    assert len(records) == 1
    assert "\n" not in records[0].getMessage()


def test_route_by_topic_accepts_any_adapter() -> None:
    class Upper:
        def adapt(self, raw: RawMessage):
            return raw.value.upper()

    chain = RouteByTopic({"t": Upper()}, Counters())
    assert chain.adapt(RawMessage("t", b"abc")) == b"ABC"


def test_client_chain_reads_livedata_topics_only() -> None:
    counters = Counters()
    chain = build_client_adapter("dummy", counters)
    assert chain.topics == [
        "dummy_livedata_commands",
        "dummy_livedata_data",
        "dummy_livedata_heartbeat",
        "dummy_livedata_responses",
    ]
    assert chain.adapt(ev44_message("dummy_detector", "panel_0", T0, [1], [1])) is None
    assert counters.get("unknown_topic") == 1
