"""LOKI fakes: SANS events with a known ring, and monitors (real ev44 bytes).

Scattering follows I(Q) = 1 / (1 + (Q/Qc)^4) (Porod-like Q^-4 beyond Qc), a flat
incoherent background and a Bragg ring at ``Q_RING`` (silver behenate's first
order). Events are drawn with probability Omega(pixel) x flat incident band x
I(Q(pixel, lambda)). Each neutron leaves the source at a time drawn from the
real ESS pulse profile (``geometry.source_pulse``) and arrives at
t = t_emit + lambda * L_total / (h/m_n), folded into the 71.4 ms pulse: the
kinematics, not the lookup table, so the reduction's table is tested by them.
The monitors see the same band; the transmission monitor ``TRANSMISSION`` of it.
Pixel positions are those of the registered geometry file (what services read).

Standalone: ``make_loki_events`` / ``make_loki_monitor_events`` return
(pulse time, ev44 payload); ``GENERATORS`` holds generators shaped like
``livedata.instruments.fakes.detector_messages``, and a log fake that keeps the
detector carriage where the detector fake's rear bank is, and the sample rotation on a slow sine.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from livedata.core.events import DetectorEvents, MonitorEvents
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import NS_PER_S, PULSE_FREQUENCY_HZ, PULSE_PERIOD
from livedata.instruments.fakes import pooled_event_messages, pulse_clock
from livedata.instruments.instrument import Instrument
from livedata.instruments.instrument_geometry import instrument_geometry
from livedata.instruments.pixel_layout import BankLayout
from livedata.kafka.raw import RawMessage
from livedata.kafka.wire_builders import ev44_bytes, f144_message
from livedata.workflows.neutron import flight_time_ns
from livedata.workflows.source_pulse import sample_emission_ns

from . import banks
from .layout import pixel_area_m2, solid_angle, two_theta

Q_RING = 0.1076  # 1/Å, silver behenate (001)
Q_RING_WIDTH = 0.002
Q_CORRELATION = 0.015  # Qc of the Q^-4 term
RING_HEIGHT = 0.05
BACKGROUND = 2e-4
WAVELENGTH_BAND = banks.WAVELENGTH_BAND
TRANSMISSION = 0.8
N_RINGS = 2048  # scattering-angle rings the sampler draws from
ROTATION_LOG = "sample_rotation/value"


def intensity(q: np.ndarray, *, ring_height: float = RING_HEIGHT) -> np.ndarray:
    """The model cross-section (arbitrary units) the fake samples from."""
    porod = 1.0 / (1.0 + (q / Q_CORRELATION) ** 4)
    ring = ring_height * np.exp(-0.5 * ((q - Q_RING) / Q_RING_WIDTH) ** 2)
    return porod + ring + BACKGROUND


def toa_ns(
    wavelength: np.ndarray,
    flight_path_m: np.ndarray | float,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Times of arrival in the pulse (int32 ns); emission times drawn with ``rng``
    (``None``: all at the pulse start, t0 = 0)."""
    t = flight_time_ns(wavelength, flight_path_m)
    if rng is not None:
        t = t + sample_emission_ns(rng, np.shape(wavelength))
    return np.mod(np.rint(t), PULSE_PERIOD.ns).astype(np.int32)


@dataclass(frozen=True, eq=False)
class _Rings:
    """Pixels grouped by scattering angle, to sample Omega x I(Q) without a
    (pixel x wavelength) table: a (ring, wavelength) cell first, then a pixel of
    the ring by its solid angle."""

    order: np.ndarray  # pixel indices sorted by ring
    cumulative: np.ndarray  # cumulative solid angle along ``order``
    start: np.ndarray  # index into ``order`` where each ring starts
    weight: np.ndarray  # solid angle per ring
    half_theta: np.ndarray  # solid-angle weighted mean theta per ring

    @classmethod
    def of(cls, half_theta: np.ndarray, omega: np.ndarray) -> _Rings:
        lo, hi = float(half_theta.min()), float(half_theta.max())
        ring = np.minimum(
            ((half_theta - lo) / max(hi - lo, 1e-12) * N_RINGS).astype(np.int64),
            N_RINGS - 1,
        )
        order = np.argsort(ring, kind="stable")
        weight = np.bincount(ring, weights=omega, minlength=N_RINGS)
        mean = np.bincount(ring, weights=omega * half_theta, minlength=N_RINGS)
        counts = np.bincount(ring, minlength=N_RINGS)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        return cls(
            order=order,
            cumulative=np.cumsum(omega[order]),
            start=start,
            weight=weight,
            half_theta=np.divide(
                mean, weight, out=np.zeros_like(mean), where=weight > 0
            ),
        )


# By bank object (kept alive here, so its id is not reused): banks hold arrays.
_RINGS: dict[int, tuple[BankLayout, _Rings]] = {}


def _rings(bank: BankLayout) -> _Rings:
    if id(bank) not in _RINGS:
        config = next(b for b in banks.BANKS if b.name == bank.name)
        positions = bank.positions.reshape(-1, 3)
        omega = solid_angle(positions, pixel_area_m2(config))
        _RINGS[id(bank)] = (bank, _Rings.of(two_theta(positions) / 2, omega))
    return _RINGS[id(bank)][1]


def sans_events(
    bank: BankLayout,
    n_events: int,
    *,
    rng: np.random.Generator,
    ring_height: float = RING_HEIGHT,
    band: tuple[float, float] = WAVELENGTH_BAND,
    wavelength_steps: int = 512,
    source_to_sample_m: float = banks.SOURCE_TO_SAMPLE_M,
) -> DetectorEvents:
    """``n_events`` of ``bank`` drawn from Omega(pixel) x flat band x I(Q)."""
    rings = _rings(bank)
    positions = bank.positions.reshape(-1, 3)
    numbers = bank.detector_number.ravel()
    edges = np.linspace(*band, wavelength_steps + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    q = 4 * np.pi * np.sin(rings.half_theta[:, None]) / centres[None, :]
    weight = intensity(q, ring_height=ring_height) * rings.weight[:, None]
    cell_cdf = np.cumsum(weight.ravel())
    cell = np.searchsorted(cell_cdf, rng.random(n_events) * cell_cdf[-1], side="right")
    ring, step = np.divmod(np.minimum(cell, weight.size - 1), wavelength_steps)
    below = np.where(
        rings.start[ring] > 0, rings.cumulative[rings.start[ring] - 1], 0.0
    )
    target = below + rng.random(n_events) * rings.weight[ring]
    index = np.searchsorted(rings.cumulative, target, side="right")
    pixel = rings.order[np.minimum(index, rings.order.size - 1)]
    lam = edges[step] + rng.random(n_events) * (edges[1] - edges[0])
    l_total = source_to_sample_m + np.linalg.norm(positions[pixel], axis=1)
    return DetectorEvents(
        pixel_id=numbers[pixel].astype(np.int32),
        time_of_arrival=toa_ns(lam, l_total, rng),
    )


def monitor_toa(
    monitor: str,
    n_events: int,
    *,
    rng: np.random.Generator,
    band: tuple[float, float] = WAVELENGTH_BAND,
) -> np.ndarray:
    """Times of arrival at a monitor for a flat wavelength band."""
    return toa_ns(rng.uniform(*band, n_events), banks.MONITORS[monitor], rng)


def monitor_pixels(n_events: int, *, rng: np.random.Generator) -> np.ndarray:
    """Pixel ids of the pixelated transmission monitor: the beam spot, a round
    Gaussian in the middle of its 16 x 16 pixels."""
    config = banks.MONITOR_PIXELS
    n_y, n_x = config.shape
    y = np.clip(np.rint(rng.normal((n_y - 1) / 2, n_y / 6, n_events)), 0, n_y - 1)
    x = np.clip(np.rint(rng.normal((n_x - 1) / 2, n_x / 6, n_events)), 0, n_x - 1)
    return (config.first_detector_number + y * n_x + x).astype(np.int32)


def monitor_events(
    monitor: str, n_events: int, *, rng: np.random.Generator
) -> MonitorEvents:
    """A monitor's events; the pixelated one says which pixel each hit."""
    toa = monitor_toa(monitor, n_events, rng=rng)
    if monitor == banks.MONITOR_PIXELS.name:
        return MonitorEvents(toa, monitor_pixels(n_events, rng=rng))
    return MonitorEvents(toa)


def _geometry():
    return instrument_geometry("loki")


def monitor_fraction(monitor: str) -> float:
    """Monitor counts relative to the incident monitor."""
    return TRANSMISSION if monitor == banks.MONITOR_TRANSMISSION else 1.0


def make_loki_events(
    bank_name: str = banks.REAR.name,
    *,
    n_pulses: int = PULSE_FREQUENCY_HZ,
    events_per_pulse: int = 5_000,
    first_pulse_ns: int = 0,
    source_name: str | None = None,
    seed: int = 0,
    ring_height: float = RING_HEIGHT,
) -> list[tuple[int, bytes]]:
    """(pulse time in ns, ev44 payload) for consecutive 14 Hz pulses of one bank."""
    bank = _geometry().bank(bank_name)
    rng = np.random.default_rng(seed)
    ev = sans_events(
        bank, n_pulses * events_per_pulse, rng=rng, ring_height=ring_height
    )
    out = []
    for i in range(n_pulses):
        part = slice(i * events_per_pulse, (i + 1) * events_per_pulse)
        t = first_pulse_ns + i * PULSE_PERIOD.ns
        payload = ev44_bytes(
            source_name or bank_name,
            t,
            ev.pixel_id[part],
            ev.time_of_arrival[part],
            i,
        )
        out.append((t, payload))
    return out


def make_loki_monitor_events(
    monitor: str = banks.MONITOR_INCIDENT,
    *,
    n_pulses: int = PULSE_FREQUENCY_HZ,
    events_per_pulse: int = 10_000,
    first_pulse_ns: int = 0,
    source_name: str | None = None,
    seed: int = 1,
) -> list[tuple[int, bytes]]:
    """(pulse time, ev44 payload without pixel ids) of a monitor; the transmission
    monitor gets ``TRANSMISSION`` times the events."""
    rng = np.random.default_rng(seed)
    n = int(events_per_pulse * monitor_fraction(monitor))
    out = []
    for i in range(n_pulses):
        t = first_pulse_ns + i * PULSE_PERIOD.ns
        toa = monitor_toa(monitor, n, rng=rng)
        out.append((t, ev44_bytes(source_name or monitor, t, None, toa, i)))
    return out


def loki_detector_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = 4,
) -> Iterator[RawMessage]:
    """SANS events for every bank at ``rate`` events/s in total, as Kafka records."""
    rng = np.random.default_rng(1)
    per_bank = max(1, int(rate / PULSE_FREQUENCY_HZ / len(banks.BANKS)))
    draws = {
        bank.name: partial(sans_events, bank, per_bank, rng=rng)
        for bank in _geometry().layout.banks
    }
    yield from pooled_event_messages(
        instrument.stream_mapping(dev),
        StreamKind.DETECTOR_EVENTS,
        draws,
        stop,
        pulse_times=pulse_times,
        pool_size=pool_size,
    )


def loki_monitor_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = 4,
) -> Iterator[RawMessage]:
    """Monitor events (flat band; transmission monitor attenuated by the sample)."""
    rng = np.random.default_rng(2)
    per_pulse = max(1, int(rate / PULSE_FREQUENCY_HZ))

    def draw(name: str) -> MonitorEvents:
        n = max(1, int(per_pulse * monitor_fraction(name)))
        return monitor_events(name, n, rng=rng)

    draws = {name: partial(draw, name) for name in banks.MONITORS}
    yield from pooled_event_messages(
        instrument.stream_mapping(dev),
        StreamKind.MONITOR_EVENTS,
        draws,
        stop,
        pulse_times=pulse_times,
        pool_size=pool_size,
    )


def loki_log_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
) -> Iterator[RawMessage]:
    """Twice a second: the carriage where the detector fake's rear bank is, and
    the sample rotation on a slow sine (degrees)."""
    mapping = instrument.stream_mapping(dev)
    carriage = mapping.key_for(StreamId(StreamKind.LOG, banks.CARRIAGE_LOG))
    rotation = mapping.key_for(StreamId(StreamKind.LOG, ROTATION_LOG))
    for i, t in enumerate(pulse_clock(stop, pulse_times)):
        if i % 7:
            continue
        if carriage is not None:
            yield f144_message(
                carriage.topic, carriage.source_name, t, banks.NOMINAL_CARRIAGE_M
            )
        if rotation is not None:
            value = 90.0 * math.sin(2 * math.pi * t / NS_PER_S / 40)
            yield f144_message(rotation.topic, rotation.source_name, t, value)


GENERATORS = {
    "detectors": loki_detector_messages,
    "monitors": loki_monitor_messages,
    "logs": loki_log_messages,
}
