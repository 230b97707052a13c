"""Fake event generators for development and demos: real FlatBuffers at 14 Hz.

The generic generators and the helpers the instruments' own ``fake.py`` share;
``livedata.services.fakes`` produces what they yield to Kafka.

Event payloads are drawn once into a small pool and reused with fresh pulse
times, so a fake keeps up with millions of events per second on one core.
Detector events have structure (a ring and a spot on the panel, two peaks in time
of arrival) so images and spectra are recognisable.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial

import numpy as np

from ..core.events import DetectorEvents, MonitorEvents
from ..core.stop_signal import StopFlag
from ..core.stream import StreamId, StreamKind
from ..core.timestamp import NS_PER_S, PULSE_FREQUENCY_HZ, PULSE_PERIOD
from ..kafka.raw import RawMessage
from ..kafka.stream_mapping import InputStreamKey, StreamMapping
from ..kafka.wire_builders import ad00_message, ev44_bytes, f144_message
from .instrument import DetectorConfig, Instrument
from .loader import fake_generators

FAKE_KINDS = ("detectors", "area", "monitors", "logs")
_POOL = 4


def _toa(rng: np.random.Generator, n: int) -> np.ndarray:
    """Two Gaussian peaks in time of arrival plus a flat background, in ns."""
    which = rng.random(n)
    toa = np.where(
        which < 0.4,
        rng.normal(20e6, 3e6, n),
        np.where(
            which < 0.8, rng.normal(45e6, 5e6, n), rng.uniform(0, PULSE_PERIOD.ns, n)
        ),
    )
    return np.clip(toa, 0, PULSE_PERIOD.ns - 1).astype(np.int32)


def _pixels(
    rng: np.random.Generator, n: int, first: int, shape: tuple[int, ...]
) -> np.ndarray:
    n_pixels = math.prod(shape)
    if len(shape) != 2:
        return rng.integers(first, first + n_pixels, n, dtype=np.int32)
    ny, nx = shape
    which = rng.random(n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = rng.normal(0.3 * min(ny, nx), 0.02 * min(ny, nx), n)
    y = np.where(
        which < 0.5, ny / 2 + radius * np.sin(angle), rng.normal(0.3 * ny, 3, n)
    )
    x = np.where(
        which < 0.5, nx / 2 + radius * np.cos(angle), rng.normal(0.7 * nx, 3, n)
    )
    uniform = which > 0.8
    y = np.where(uniform, rng.uniform(0, ny, n), y)
    x = np.where(uniform, rng.uniform(0, nx, n), x)
    row = np.clip(y.astype(np.int64), 0, ny - 1)
    col = np.clip(x.astype(np.int64), 0, nx - 1)
    return (first + row * nx + col).astype(np.int32)


def _ticks(stop: StopFlag, period_ns: int) -> Iterator[int]:
    """Times on a grid of ``period_ns``, each yielded when it is reached."""
    t = time.time_ns() // period_ns * period_ns
    while not stop.is_set():
        t += period_ns
        delay = (t - time.time_ns()) / NS_PER_S
        if delay > 0:
            stop.wait(delay)
        yield t


def _pulse_times(stop: StopFlag) -> Iterator[int]:
    """Pulse times aligned to the 14 Hz grid, yielded in real time."""
    return _ticks(stop, PULSE_PERIOD.ns)


def pulse_clock(
    stop: StopFlag, pulse_times: Iterator[int] | None = None
) -> Iterator[int]:
    """The given pulse times (tests step them), else the real-time 14 Hz clock."""
    return pulse_times if pulse_times is not None else _pulse_times(stop)


PooledPulse = DetectorEvents | MonitorEvents


def stream_pools(
    mapping: StreamMapping,
    kind: StreamKind,
    draws: Mapping[str, Callable[[], PooledPulse]],
    pool_size: int = _POOL,
) -> dict[InputStreamKey, list[PooledPulse]]:
    """``pool_size`` pulses drawn up front for each named stream the mapping
    routes (streams it does not route are left out)."""
    pools = {}
    for name, draw in draws.items():
        key = mapping.key_for(StreamId(kind, name))
        if key is not None:
            pools[key] = [draw() for _ in range(pool_size)]
    return pools


def cycle_event_pools(
    pools: Mapping[InputStreamKey, Sequence[PooledPulse]], times: Iterable[int]
) -> Iterator[RawMessage]:
    """One ev44 record per stream and pulse, cycling each stream's pool of
    pre-drawn pulses: drawing fresh random events for every pulse would cost
    more than producing them."""
    for i, t in enumerate(times):
        for key, pool in pools.items():
            pulse = pool[i % len(pool)]
            pixels = pulse.pixel_id  # None for a monitor without pixels
            yield RawMessage(
                key.topic,
                ev44_bytes(key.source_name, t, pixels, pulse.time_of_arrival, i),
                None,
                t // 1_000_000,
            )


def pooled_event_messages(
    mapping: StreamMapping,
    kind: StreamKind,
    draws: Mapping[str, Callable[[], PooledPulse]],
    stop: StopFlag,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = _POOL,
) -> Iterator[RawMessage]:
    """What most fakes produce: ``pool_size`` pulses drawn up front per stream
    the mapping routes, cycled on the pulse clock."""
    pools = stream_pools(mapping, kind, draws, pool_size)
    yield from cycle_event_pools(pools, pulse_clock(stop, pulse_times))


def detector_messages(instrument: Instrument, rate: float, stop: StopFlag, dev: bool):
    """``rate`` events/s for the whole instrument, split evenly across the
    detector banks the mapping routes (one ev44 per bank and pulse)."""
    rng = np.random.default_rng(1)
    mapping = instrument.stream_mapping(dev)
    banks = {
        name: det
        for name, det in instrument.detectors.items()
        if mapping.key_for(StreamId(StreamKind.DETECTOR_EVENTS, name)) is not None
    }
    per_pulse = max(1, int(rate / PULSE_FREQUENCY_HZ / max(1, len(banks))))

    def draw(det: DetectorConfig) -> DetectorEvents:
        return DetectorEvents(
            _pixels(rng, per_pulse, det.first_detector_number, det.shape),
            _toa(rng, per_pulse),
        )

    draws = {name: partial(draw, det) for name, det in banks.items()}
    yield from pooled_event_messages(mapping, StreamKind.DETECTOR_EVENTS, draws, stop)


def monitor_messages(instrument: Instrument, rate: float, stop: StopFlag, dev: bool):
    """``rate`` events/s per monitor (each monitor is its own device)."""
    rng = np.random.default_rng(2)
    per_pulse = max(1, int(rate / PULSE_FREQUENCY_HZ))
    draws = {
        name: lambda: MonitorEvents(_toa(rng, per_pulse))
        for name in instrument.monitors
    }
    yield from pooled_event_messages(
        instrument.stream_mapping(dev), StreamKind.MONITOR_EVENTS, draws, stop
    )


def area_messages(instrument: Instrument, rate: float, stop: StopFlag, dev: bool):
    """``rate`` counts/s per camera, one ad00 frame per pulse."""
    mapping = instrument.stream_mapping(dev)
    rng = np.random.default_rng(3)
    frames = {}
    for name, area in instrument.area_detectors.items():
        key = mapping.key_for(StreamId(StreamKind.AREA_DETECTOR, name))
        if key is not None:
            lam = max(rate / PULSE_FREQUENCY_HZ / math.prod(area.shape), 1e-3)
            frames[key] = [
                rng.poisson(lam, area.shape).astype(np.int32) for _ in range(_POOL)
            ]
    for i, t in enumerate(_pulse_times(stop)):
        for key, pool in frames.items():
            yield ad00_message(key.topic, key.source_name, t, pool[i % _POOL], i)


def log_messages(instrument: Instrument, rate: float, stop: StopFlag, dev: bool):
    """Each log moves on a slow sine within its valid range, ``rate`` updates/s."""
    mapping = instrument.stream_mapping(dev)
    keys = {
        name: mapping.key_for(StreamId(StreamKind.LOG, name))
        for name in instrument.log_attributes
    }
    # Logs need no pulse grid: ``rate`` updates a second, in real time.
    for t in _ticks(stop, max(1, round(NS_PER_S / rate))):
        for k, (name, key) in enumerate(keys.items()):
            if key is None:
                continue
            attrs = instrument.log_attributes[name]
            low = attrs.value_min if attrs.value_min is not None else -1.0
            high = attrs.value_max if attrs.value_max is not None else 1.0
            mid, amp = (low + high) / 2, (high - low) / 4
            value = mid + amp * math.sin(2 * math.pi * (t / NS_PER_S) / (30 + 10 * k))
            yield f144_message(key.topic, key.source_name, t, value)


GENERATORS: dict[str, Callable] = {
    "detectors": detector_messages,
    "area": area_messages,
    "monitors": monitor_messages,
    "logs": log_messages,
}
# detectors: events/s in total; monitors: events/s per monitor; area: counts/s
# per camera; logs: updates/s per log.
DEFAULT_RATES = {"detectors": 1e6, "area": 1e5, "monitors": 1e4, "logs": 2.0}


def fake_topics(kind: str, mapping: StreamMapping) -> frozenset[str]:
    """The topics a fake of ``kind`` writes to."""
    return {
        "detectors": mapping.detector_topics,
        "area": mapping.area_detector_topics,
        "monitors": mapping.monitor_topics,
        "logs": mapping.log_topics,
    }[kind]


def generator_for(kind: str, instrument: Instrument) -> Callable:
    """The instrument's own fake (``instruments/<name>/fake.py`` ``GENERATORS``) if
    it has one for ``kind`` (e.g. powder lines for DREAM), else the generic one."""
    return fake_generators(instrument.name).get(kind, GENERATORS[kind])
