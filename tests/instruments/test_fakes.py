"""Fake producers: real FlatBuffers that the service chain decodes (no broker).

``FastStop`` stands in for the ``threading.Event`` the fakes take: it never stops
and never waits, so pulses come as fast as the test pulls them while keeping the
14 Hz spacing of their data times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from itertools import islice

import numpy as np
import pytest

from livedata.core.metrics import Counters
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.instruments.fakes import (
    DEFAULT_RATES,
    FAKE_KINDS,
    GENERATORS,
    area_messages,
    detector_messages,
    log_messages,
    monitor_messages,
)
from livedata.instruments.registry import get_instrument
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_service_adapter

DUMMY = get_instrument("dummy")
PANEL = DUMMY.detectors["panel_0"]


class FastStop:
    """Never set; waiting returns at once."""

    def is_set(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        return False


def decode(raws: list[RawMessage], dev: bool = True):
    counters = Counters()
    chain = build_service_adapter(DUMMY.stream_mapping(dev), counters)
    messages = [chain.adapt(raw) for raw in raws]
    assert counters.snapshot() == {}, counters.snapshot()
    assert all(m is not None for m in messages)
    return messages


def take(generator: Iterator[RawMessage], n: int) -> list[RawMessage]:
    return list(islice(generator, n))


def assert_14hz(times: list[int]) -> None:
    assert all(t % PULSE_PERIOD.ns == 0 for t in times)  # on the pulse grid
    np.testing.assert_array_equal(np.diff(times), PULSE_PERIOD.ns)


def test_every_kind_has_a_generator_and_a_default_rate() -> None:
    assert set(GENERATORS) == set(FAKE_KINDS) == set(DEFAULT_RATES)


@pytest.mark.parametrize("dev", [True, False], ids=["dev", "prod"])
def test_detector_events_decode_into_panel_events_at_14_hz(dev: bool) -> None:
    raws = take(detector_messages(DUMMY, 14_000, FastStop(), dev), 8)
    assert {raw.topic for raw in raws} == {"dummy_detector"}
    messages = decode(raws, dev)
    assert {m.stream for m in messages} == {
        StreamId(StreamKind.DETECTOR_EVENTS, "panel_0")
    }
    assert_14hz([m.timestamp.ns for m in messages])
    for raw, message in zip(raws, messages, strict=True):
        assert raw.timestamp_ms == message.timestamp.ns // 1_000_000
        events = message.value
        assert len(events) == 1000  # rate / 14
        first = PANEL.first_detector_number
        assert events.pixel_id.min() >= first
        assert events.pixel_id.max() < first + PANEL.n_pixels
        assert events.time_of_arrival.min() >= 0
        assert events.time_of_arrival.max() < PULSE_PERIOD.ns


def test_detector_events_have_structure_not_noise() -> None:
    raws = take(detector_messages(DUMMY, 140_000, FastStop(), True), 4)
    pixels = np.concatenate([m.value.pixel_id for m in decode(raws)])
    counts = np.bincount(pixels - 1, minlength=PANEL.n_pixels).reshape(PANEL.shape)
    assert counts.max() > 5 * counts.mean()  # a ring and a spot stand out
    toa = np.concatenate([m.value.time_of_arrival for m in decode(raws)])
    peak = np.histogram(toa, bins=14, range=(0, PULSE_PERIOD.ns))[0]
    assert peak.max() > 2 * np.median(peak)


@pytest.mark.parametrize("dev", [True, False], ids=["dev", "prod"])
def test_monitor_events_decode_for_both_monitors_each_pulse(dev: bool) -> None:
    raws = take(monitor_messages(DUMMY, 1_400, FastStop(), dev), 10)
    assert {raw.topic for raw in raws} == {"dummy_beam_monitor"}
    messages = decode(raws, dev)
    by_name: dict[str, list[int]] = {}
    for message in messages:
        assert message.stream.kind is StreamKind.MONITOR_EVENTS
        assert len(message.value) == 100
        by_name.setdefault(message.stream.name, []).append(message.timestamp.ns)
    assert set(by_name) == {"monitor1", "monitor2"}
    assert by_name["monitor1"] == by_name["monitor2"]
    assert_14hz(by_name["monitor1"])


@pytest.mark.parametrize("dev", [True, False], ids=["dev", "prod"])
def test_area_frames_decode_into_images_of_the_camera_shape(dev: bool) -> None:
    raws = take(area_messages(DUMMY, 14 * 256 * 256 * 2, FastStop(), dev), 3)
    messages = decode(raws, dev)
    assert {m.stream for m in messages} == {
        StreamId(StreamKind.AREA_DETECTOR, "area_panel")
    }
    assert_14hz([m.timestamp.ns for m in messages])
    for message in messages:
        assert message.value.shape == DUMMY.area_detectors["area_panel"].shape
        assert message.value.values.mean() == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize("dev", [True], ids=["dev"])  # the facility's PROD: no logs
def test_logs_decode_into_moving_motors_twice_a_second(dev: bool) -> None:
    raws = take(log_messages(DUMMY, 2.0, FastStop(), dev), 8)  # 4 updates each
    messages = decode(raws, dev)
    series: dict[str, list[tuple[int, float]]] = {}
    for message in messages:
        assert message.stream.kind is StreamKind.LOG
        assert message.timestamp.ns == message.value.timestamp_ns
        series.setdefault(message.stream.name, []).append(
            (message.timestamp.ns, float(message.value.value))
        )
    assert set(series) == {"motion1", "motion2"}
    for name, points in series.items():
        times = [t for t, _ in points]
        values = [v for _, v in points]
        np.testing.assert_array_equal(np.diff(times), NS_PER_S // 2)  # 2 Hz
        attributes = DUMMY.log_attributes[name]
        assert all(attributes.value_min <= v <= attributes.value_max for v in values)
        assert max(values) - min(values) > 1e-3 * attributes.value_max, name
    assert series["motion1"] != series["motion2"]


def test_log_rate_is_updates_per_second_of_each_log() -> None:
    raws = take(log_messages(DUMMY, 20.0, FastStop(), True), 10)
    times = sorted({m.timestamp.ns for m in decode(raws)})
    assert len(times) == 5  # both logs share each update time
    np.testing.assert_array_equal(np.diff(times), NS_PER_S // 20)


def test_detector_rate_is_the_total_split_across_the_banks() -> None:
    from dataclasses import replace

    from livedata.instruments.instrument import DetectorConfig
    from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping

    banks = {
        f"bank{i}": DetectorConfig(f"bank{i}", 1 + i * 100, (10, 10), ("y", "x"))
        for i in range(3)
    }
    mapping = StreamMapping(
        instrument="dummy",
        detectors={InputStreamKey("dummy_detector", name): name for name in banks},
    )
    three_banks = replace(DUMMY, detectors=banks, dev_streams=mapping)
    raws = take(detector_messages(three_banks, 42_000, FastStop(), True), 6)
    chain = build_service_adapter(mapping, Counters())
    messages = [chain.adapt(raw) for raw in raws]
    per_pulse: dict[int, int] = {}
    for message in messages:
        per_pulse[message.timestamp.ns] = per_pulse.get(message.timestamp.ns, 0) + len(
            message.value
        )
    assert {m.stream.name for m in messages} == set(banks)
    assert list(per_pulse.values()) == [3000, 3000]  # 42 000 / 14 in total


def test_fakes_pace_themselves_at_14_hz_of_wall_clock() -> None:
    stop = threading.Event()
    generator = monitor_messages(DUMMY, 14, stop, True)
    started = time.monotonic()
    raws = take(generator, 6)  # three pulses, two monitors each
    elapsed = time.monotonic() - started
    assert 1.5 * PULSE_PERIOD.to_seconds() <= elapsed < 2.0
    newest = max(decode(raws), key=lambda m: m.timestamp).timestamp.ns
    assert abs(newest - time.time_ns()) < 0.5 * NS_PER_S  # data time is now
    stop.set()
    assert len(list(generator)) <= 1  # finishes the current pulse, then ends
