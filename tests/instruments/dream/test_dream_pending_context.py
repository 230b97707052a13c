"""Detector events that arrive before dream/powder's required monitor are held and
counted in, not lost (the issue's reproduction, through the real service path)."""

import numpy as np
import pytest

from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import PULSE_PERIOD
from livedata.instruments import get_instrument
from livedata.instruments.dream import banks, fake
from livedata.instruments.dream.layout import layout
from livedata.kafka.wire_builders import ev44_message
from tests.instruments.science_harness import ServiceHarness, config, start_ns

pytestmark = pytest.mark.slow  # essdiffraction's pipeline, three times

SPEC = next(s for s in get_instrument("dream").workflows.specs() if s.name == "powder")
BANK = banks.MANTLE.name


def _detector(t: int, events) -> object:
    return ev44_message(
        "dream_detector", BANK, t, events.pixel_id, events.time_of_arrival
    )


# The cave monitor as the facility's dev mapping puts it on Kafka.
MONITOR_KEY = (
    get_instrument("dream")
    .stream_mapping(dev=True)
    .key_for(StreamId(StreamKind.MONITOR_EVENTS, banks.MONITOR_CAVE))
)


def _monitor(t: int, toa) -> object:
    return ev44_message(MONITOR_KEY.topic, MONITOR_KEY.source_name, t, None, toa)


def _run(window1_at: str) -> float:
    """Window 1: 14 pulses of detector events (100 each = 1400), no monitor;
    window 2: detector and monitor. ``window1_at``: "window1" (the issue's case),
    "window2" (the same events re-sent with window 2) or "nowhere"."""
    rng = np.random.default_rng(4)
    bank = layout().bank(BANK)
    first = [fake.powder_events(bank, 100, rng=rng) for _ in range(14)]
    second = [fake.powder_events(bank, 400, rng=rng) for _ in range(14)]
    monitor = [fake.monitor_events(200, rng=rng) for _ in range(14)]
    h = ServiceHarness("dream", "data_reduction")
    assert h.start([config(SPEC, BANK, aux={"monitor": banks.MONITOR_CAVE})]) == ["ACK"]
    t0 = start_ns()
    raws = []
    if window1_at == "window1":
        raws += [_detector(t0 + i * PULSE_PERIOD.ns, e) for i, e in enumerate(first)]
    for i in range(14):
        t = t0 + (14 + i) * PULSE_PERIOD.ns
        raws.append(_detector(t, second[i]))
        if window1_at == "window2":
            raws.append(_detector(t, first[i]))
        raws.append(_monitor(t, monitor[i]))
    closing = t0 + 29 * PULSE_PERIOD.ns
    raws.append(_detector(closing, fake.powder_events(bank, 1, rng=rng)))
    out = []
    for raw in raws:  # one message at a time, as a consumer delivers them
        out += h.step([raw])
    results = h.results(out)
    assert h.counters.snapshot().get(f"dropped_events:{BANK}:pending_context", 0) == 0
    return float(np.nansum(results[("powder", BANK, "focussed_dspacing")].values))


def test_events_before_the_monitor_are_held_and_reduced():
    held = _run("window1")
    together = _run("window2")
    without = _run("nowhere")
    assert held == pytest.approx(together, rel=1e-9)
    assert held > without * 1.2  # window 1's 1400 events are in
