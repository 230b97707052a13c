"""LOKI fakes: SANS events with a known ring, and monitors (real ev44 bytes).

Scattering follows I(Q) = 1 / (1 + (Q/Qc)^4) (Porod-like Q^-4 beyond Qc), a flat
incoherent background and a Bragg ring at ``Q_RING`` (silver behenate's first
order). Events are drawn with probability Omega(pixel) x flat incident band x
I(Q(pixel, lambda)); time of arrival = lambda * L_total / (h/m_n), t0 = 0.
The monitors see the same band; the transmission monitor ``TRANSMISSION`` of it.

Standalone: ``make_loki_events`` / ``make_loki_monitor_events`` return
(pulse time, ev44 payload); ``GENERATORS`` holds generators shaped like
``livedata.services.fakes.detector_messages``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial

import numpy as np

from livedata.config.instrument import Instrument
from livedata.core.events import DetectorEvents, MonitorEvents
from livedata.core.stream import StreamKind
from livedata.core.timestamp import PULSE_PERIOD
from livedata.geometry.layout import BankLayout
from livedata.kafka.raw import RawMessage
from livedata.kafka.wire_builders import ev44_bytes
from livedata.services.fakes import cycle_event_pools, pulse_clock, stream_pools

from . import banks
from .layout import layout, solid_angle, two_theta

Q_RING = 0.1076  # 1/Å, silver behenate (001)
Q_RING_WIDTH = 0.002
Q_CORRELATION = 0.015  # Qc of the Q^-4 term
RING_HEIGHT = 0.05
BACKGROUND = 2e-4
WAVELENGTH_BAND = (2.0, 9.0)  # Å, inside the pulse for every bank at t0 = 0
TRANSMISSION = 0.8
H_OVER_MN = 3956.034  # m Å / s


def intensity(q: np.ndarray, *, ring_height: float = RING_HEIGHT) -> np.ndarray:
    """The model cross-section (arbitrary units) the fake samples from."""
    porod = 1.0 / (1.0 + (q / Q_CORRELATION) ** 4)
    ring = ring_height * np.exp(-0.5 * ((q - Q_RING) / Q_RING_WIDTH) ** 2)
    return porod + ring + BACKGROUND


def toa_ns(wavelength: np.ndarray, flight_path_m: np.ndarray | float) -> np.ndarray:
    t = wavelength * flight_path_m / H_OVER_MN * 1e9
    return np.clip(np.rint(t), 0, PULSE_PERIOD.ns - 1).astype(np.int32)


def sans_events(
    bank: BankLayout,
    n_events: int,
    *,
    rng: np.random.Generator,
    ring_height: float = RING_HEIGHT,
    band: tuple[float, float] = WAVELENGTH_BAND,
    wavelength_steps: int = 512,
) -> DetectorEvents:
    """``n_events`` of ``bank`` drawn from Omega(pixel) x flat band x I(Q).

    Sampled exactly on a fine wavelength grid: a pixel by its total weight, then
    a wavelength from that pixel's cumulative distribution (jittered in its cell).
    """
    positions = bank.positions.reshape(-1, 3)
    numbers = bank.detector_number.ravel()
    half_theta = two_theta(positions) / 2
    l_total = banks.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions, axis=1)
    edges = np.linspace(*band, wavelength_steps + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    q = 4 * np.pi * np.sin(half_theta[:, None]) / centres[None, :]
    weight = (
        intensity(q, ring_height=ring_height) * solid_angle(positions, 1.0)[:, None]
    )
    flat_cdf = np.cumsum(weight.ravel())
    flat = np.searchsorted(flat_cdf, rng.random(n_events) * flat_cdf[-1], side="right")
    flat = np.minimum(flat, weight.size - 1)
    pixel, step = np.divmod(flat, wavelength_steps)
    lam = edges[step] + rng.random(n_events) * (edges[1] - edges[0])
    return DetectorEvents(
        pixel_id=numbers[pixel].astype(np.int32),
        time_of_arrival=toa_ns(lam, l_total[pixel]),
    )


def monitor_toa(
    monitor: str,
    n_events: int,
    *,
    rng: np.random.Generator,
    band: tuple[float, float] = WAVELENGTH_BAND,
) -> np.ndarray:
    """Times of arrival at a monitor for a flat wavelength band."""
    return toa_ns(rng.uniform(*band, n_events), banks.MONITORS[monitor])


def monitor_fraction(monitor: str) -> float:
    """Monitor counts relative to the incident monitor."""
    return TRANSMISSION if monitor == banks.MONITOR_TRANSMISSION else 1.0


def make_loki_events(
    bank_name: str = banks.REAR.name,
    *,
    n_pulses: int = 14,
    events_per_pulse: int = 5_000,
    first_pulse_ns: int = 0,
    source_name: str | None = None,
    seed: int = 0,
    ring_height: float = RING_HEIGHT,
) -> list[tuple[int, bytes]]:
    """(pulse time in ns, ev44 payload) for consecutive 14 Hz pulses of one bank."""
    bank = layout().bank(bank_name)
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
    n_pulses: int = 14,
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
    per_bank = max(1, int(rate / 14 / len(banks.BANKS)))
    draws = {
        bank.name: partial(sans_events, bank, per_bank, rng=rng)
        for bank in layout().banks
    }
    pools = stream_pools(
        instrument.stream_mapping(dev), StreamKind.DETECTOR_EVENTS, draws, pool_size
    )
    yield from cycle_event_pools(pools, pulse_clock(stop, pulse_times))


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
    per_pulse = max(1, int(rate / 14))

    def draw(name: str) -> MonitorEvents:
        n = max(1, int(per_pulse * monitor_fraction(name)))
        return MonitorEvents(monitor_toa(name, n, rng=rng))

    draws = {name: partial(draw, name) for name in banks.MONITORS}
    pools = stream_pools(
        instrument.stream_mapping(dev), StreamKind.MONITOR_EVENTS, draws, pool_size
    )
    yield from cycle_event_pools(pools, pulse_clock(stop, pulse_times))


GENERATORS = {"detectors": loki_detector_messages, "monitors": loki_monitor_messages}
