"""A DREAM event fake with powder lines at known d-spacings (real ev44 bytes).

For each event: a pixel at random, 2theta from its position, a d-spacing from the
lines, lambda = 2 d sin(theta) (kept if inside the chopper band), then the
time of arrival at which DREAM's analytical wavelength table gives that lambda for
the pixel's flight path. So the reduction must find the lines where they were put,
and a wrong geometry, table or unit shows up as a shifted peak.

Pixel positions are those of the registered geometry file valid today (as the
services read them). Both beam monitors see the band: the bunker monitor behind
the T0 chopper (13.55 m), the cave monitor before the sample.

Standalone: ``make_dream_events`` returns ev44 payloads; ``dream_detector_messages``
is a generator shaped like ``livedata.instruments.fakes.detector_messages``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from functools import partial

import numpy as np

from livedata.core.events import DetectorEvents, MonitorEvents
from livedata.core.stream import StreamKind
from livedata.core.timestamp import PULSE_FREQUENCY_HZ, PULSE_PERIOD
from livedata.instruments.fakes import pooled_event_messages
from livedata.instruments.instrument import Instrument
from livedata.instruments.instrument_geometry import instrument_geometry
from livedata.instruments.pixel_layout import BankLayout
from livedata.kafka.raw import RawMessage
from livedata.kafka.wire_builders import ev44_bytes

from . import banks
from .layout import two_theta_deg
from .wavelength import DEFAULT_SETTING, ChopperSetting, time_of_arrival_ns

D_LINES_ANGSTROM = (1.5, 2.0)
# Inside DREAM's high-flux band (about 0.9-4.5 Å at the detectors), away from edges.
WAVELENGTH_BAND_ANGSTROM = (1.0, 4.3)


def powder_events(
    bank: BankLayout,
    n_events: int,
    *,
    rng: np.random.Generator,
    d_lines: Sequence[float] = D_LINES_ANGSTROM,
    wavelength_band: tuple[float, float] = WAVELENGTH_BAND_ANGSTROM,
    background: float = 0.0,
    setting: ChopperSetting = DEFAULT_SETTING,
) -> DetectorEvents:
    """``n_events`` Bragg events of ``bank`` (plus a flat ``background`` fraction)."""
    positions = bank.positions.reshape(-1, 3)
    numbers = bank.detector_number.ravel()
    half_theta = np.deg2rad(two_theta_deg(positions)) / 2
    l_total = banks.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions, axis=1)
    lo, hi = wavelength_band
    pixels: list[np.ndarray] = []
    lams: list[np.ndarray] = []
    have = 0
    while have < n_events:
        batch = max(1024, 2 * (n_events - have))
        pixel = rng.integers(0, numbers.size, batch)
        d = rng.choice(np.asarray(d_lines, dtype=float), batch)
        lam = 2 * d * np.sin(half_theta[pixel])
        flat = rng.random(batch) < background
        lam = np.where(flat, rng.uniform(lo, hi, batch), lam)
        keep = (lam >= lo) & (lam <= hi)
        if not keep.any() and background == 0.0:
            raise ValueError(f"{bank.name}: no line {d_lines} falls in the band")
        pixels.append(pixel[keep])
        lams.append(lam[keep])
        have += int(keep.sum())
    pixel = np.concatenate(pixels)[:n_events]
    lam = np.concatenate(lams)[:n_events]
    toa = time_of_arrival_ns(l_total[pixel], lam, setting)
    return DetectorEvents(
        pixel_id=numbers[pixel].astype(np.int32),
        time_of_arrival=np.clip(np.rint(toa), 0, PULSE_PERIOD.ns - 1).astype(np.int32),
    )


def monitor_events(
    n_events: int,
    *,
    rng: np.random.Generator,
    monitor: str = banks.MONITOR_CAVE,
    wavelength_band: tuple[float, float] = WAVELENGTH_BAND_ANGSTROM,
    setting: ChopperSetting = DEFAULT_SETTING,
) -> np.ndarray:
    """Beam-monitor times of arrival (int32 ns) of a flat wavelength band.

    Monitors are on the beam axis: their flight path is their distance from the
    source (``banks.MONITORS``, as in the geometry file)."""
    lam = rng.uniform(*wavelength_band, n_events)
    l_total = np.full(n_events, banks.MONITORS[monitor])
    toa = time_of_arrival_ns(l_total, lam, setting)
    return np.clip(np.rint(toa), 0, PULSE_PERIOD.ns - 1).astype(np.int32)


def make_dream_events(
    bank_name: str = banks.MANTLE.name,
    *,
    n_pulses: int = PULSE_FREQUENCY_HZ,
    events_per_pulse: int = 10_000,
    first_pulse_ns: int = 0,
    source_name: str | None = None,
    seed: int = 0,
    d_lines: Sequence[float] = D_LINES_ANGSTROM,
) -> list[tuple[int, bytes]]:
    """(pulse time in ns, ev44 payload) for consecutive 14 Hz pulses of one bank."""
    bank = instrument_geometry("dream").bank(bank_name)
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_pulses):
        events = powder_events(bank, events_per_pulse, rng=rng, d_lines=d_lines)
        t = first_pulse_ns + i * PULSE_PERIOD.ns
        payload = ev44_bytes(
            source_name or bank_name, t, events.pixel_id, events.time_of_arrival, i
        )
        out.append((t, payload))
    return out


def dream_monitor_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = 4,
) -> Iterator[RawMessage]:
    """Monitor events in DREAM's wavelength band, for both monitors."""
    rng = np.random.default_rng(2)
    per_pulse = max(1, int(rate / PULSE_FREQUENCY_HZ))
    draws = {
        name: partial(_monitor_draw, name, per_pulse, rng) for name in banks.MONITORS
    }
    yield from pooled_event_messages(
        instrument.stream_mapping(dev),
        StreamKind.MONITOR_EVENTS,
        draws,
        stop,
        pulse_times=pulse_times,
        pool_size=pool_size,
    )


def _monitor_draw(name: str, n: int, rng: np.random.Generator) -> MonitorEvents:
    return MonitorEvents(monitor_events(n, rng=rng, monitor=name))


def dream_detector_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = 4,
) -> Iterator[RawMessage]:
    """Powder events for every bank at ``rate`` events/s in total, as Kafka records.

    A small pool of pulses per bank is drawn once and reused with fresh pulse times
    (like the generic fakes); ``pulse_times`` defaults to the real-time 14 Hz grid.
    """
    rng = np.random.default_rng(1)
    the_layout = instrument_geometry("dream").layout
    per_bank = max(1, int(rate / PULSE_FREQUENCY_HZ / len(the_layout.banks)))
    draws = {
        bank.name: partial(powder_events, bank, per_bank, rng=rng, background=0.1)
        for bank in the_layout.banks
    }
    yield from pooled_event_messages(
        instrument.stream_mapping(dev),
        StreamKind.DETECTOR_EVENTS,
        draws,
        stop,
        pulse_times=pulse_times,
        pool_size=pool_size,
    )


# What ``livedata fake`` uses for DREAM instead of the generic generators.
GENERATORS = {"detectors": dream_detector_messages, "monitors": dream_monitor_messages}
