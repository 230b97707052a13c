"""The wire builders produce records the real deserialisers (and our chain) accept."""

from __future__ import annotations

import numpy as np
import scipp as sc
import scipp.testing
from streaming_data_types import (
    area_detector_ad00,
    dataarray_da00,
    eventdata_ev44,
    logdata_f144,
)

from livedata.core.commands import JobAction, JobCommand, WorkflowConfig
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.metrics import Counters
from livedata.instruments.dummy.streams import DEV
from livedata.kafka.raw import schema_id
from livedata.kafka.routing import build_service_adapter
from livedata.kafka.wire_builders import (
    ad00_message,
    command_message,
    da00_message,
    ev44_bytes,
    ev44_message,
    f144_message,
)

T0 = 1_785_000_000_123_456_789


def test_ev44_bytes_decode_with_one_reference_time() -> None:
    payload = ev44_bytes("panel_0", T0, np.array([1, 2]), np.array([30, 40]), 17)
    assert schema_id(payload) == "ev44"
    ev = eventdata_ev44.deserialise_ev44(payload)
    assert ev.source_name == "panel_0"
    assert ev.message_id == 17
    np.testing.assert_array_equal(ev.reference_time, [T0])
    np.testing.assert_array_equal(ev.reference_time_index, [0])
    np.testing.assert_array_equal(ev.pixel_id, [1, 2])
    np.testing.assert_array_equal(ev.time_of_flight, [30, 40])
    assert ev.time_of_flight.dtype == np.int32


def test_ev44_without_pixels_is_a_monitor_message() -> None:
    ev = eventdata_ev44.deserialise_ev44(ev44_bytes("monitor1", T0, None, [5, 6, 7]))
    assert len(ev.pixel_id) == 0
    np.testing.assert_array_equal(ev.time_of_flight, [5, 6, 7])


def test_records_carry_kafka_time_in_ms_from_the_data_time() -> None:
    raws = [
        ev44_message("dummy_detector", "panel_0", T0, [1], [1]),
        f144_message("dummy_motion", "motion1", T0, 1.0),
        ad00_message("dummy_area_detector", "area_panel", T0, np.ones((2, 2))),
        da00_message(
            "dummy_beam_monitor", "monitor1", T0, sc.DataArray(sc.scalar(1.0))
        ),
    ]
    for raw in raws:
        assert raw.timestamp_ms == T0 // 1_000_000
        assert raw.key is None


def test_f144_message_decodes() -> None:
    raw = f144_message("dummy_motion", "motion2", T0, 12.5)
    log = logdata_f144.deserialise_f144(raw.value)
    assert (log.source_name, log.value, log.timestamp_unix_ns) == ("motion2", 12.5, T0)


def test_ad00_message_decodes() -> None:
    frame = np.arange(6, dtype=np.int32).reshape(2, 3)
    raw = ad00_message("dummy_area_detector", "area_panel", T0, frame, unique_id=3)
    decoded = area_detector_ad00.deserialise_ad00(raw.value)
    assert decoded.source_name == "area_panel"
    assert decoded.unique_id == 3
    assert decoded.timestamp_ns == T0
    np.testing.assert_array_equal(decoded.data, frame)


def test_da00_message_decodes() -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1.0, 2.0], unit="counts"),
        coords={"x": sc.array(dims=["x"], values=[0.0, 1.0, 2.0], unit="m")},
    )
    raw = da00_message("dummy_beam_monitor", "monitor1", T0, da)
    decoded = dataarray_da00.deserialise_da00(raw.value)
    assert decoded.source_name == "monitor1"
    assert decoded.timestamp_ns == T0
    assert {v.name for v in decoded.data} == {"signal", "x"}


def test_command_message_is_keyed_json_on_the_commands_topic() -> None:
    config = WorkflowConfig(
        identifier=WorkflowId(instrument="dummy", name="panel_0_xy"),
        job_id=JobId(source_name="panel_0"),
    )
    raw = command_message("dummy", config, timestamp_ms=99)
    assert raw.topic == "dummy_livedata_commands"
    assert raw.key == b"dummy/panel_0_xy/1/panel_0"
    assert raw.timestamp_ms == 99
    assert WorkflowConfig.model_validate_json(raw.value) == config


def test_everything_built_decodes_through_the_service_chain() -> None:
    counters = Counters()
    chain = build_service_adapter(DEV, counters)
    raws = [
        ev44_message("dummy_detector", "panel_0", T0, [1, 2], [3, 4]),
        ev44_message("dummy_beam_monitor", "monitor2", T0, None, [3, 4]),
        f144_message("dummy_motion", "motion1", T0, -3.0),
        ad00_message("dummy_area_detector", "area_panel", T0, np.ones((3, 3))),
        da00_message(
            "dummy_beam_monitor", "monitor1", T0, sc.DataArray(sc.scalar(2.0))
        ),
        command_message("dummy", JobCommand(action=JobAction.STOP)),
    ]
    messages = chain.adapt_many(raws)
    assert len(messages) == len(raws)
    assert counters.snapshot() == {}
    sc.testing.assert_identical(messages[4].value, sc.DataArray(sc.scalar(2.0)))
