"""TBL fakes: Orca frames (real ad00) and detector events (real ev44).

The camera sees a round beam footprint (Gaussian edge) with Poisson noise in full
2048 x 2048 frames, ``ORCA_FRAMES_PER_S`` of them a second (8 MB each); the event
detectors see the same footprint and a flat wavelength band, each neutron
emitted at a time drawn from the real ESS pulse profile (``workflows.source_pulse``).
Pixel positions are those of the registered geometry file.
Standalone: ``orca_frame``, ``make_orca_frames``, ``make_tbl_events``;
``GENERATORS`` for the demo fakes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cache, partial

import numpy as np
from streaming_data_types import area_detector_ad00

from livedata.core.events import DetectorEvents
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import PULSE_FREQUENCY_HZ, PULSE_PERIOD
from livedata.instruments.fakes import pooled_event_messages, pulse_clock
from livedata.instruments.instrument import DetectorConfig, Instrument
from livedata.instruments.instrument_geometry import instrument_geometry
from livedata.kafka.raw import RawMessage
from livedata.kafka.wire_builders import ad00_message, ev44_bytes
from livedata.workflows.neutron import flight_time_ns
from livedata.workflows.source_pulse import sample_emission_ns

from . import banks

WAVELENGTH_BAND = banks.WAVELENGTH_BAND
ORCA_FRAMES_PER_S = 2  # every 7th pulse


@cache
def beam_profile(shape: tuple[int, int]) -> np.ndarray:
    """A round footprint with soft edges on a (y, x) grid, normalised to 1.

    Cached (read-only): a 2048 x 2048 profile takes ~0.13 s, every frame uses it.
    """
    ny, nx = shape
    y, x = np.meshgrid(np.linspace(-1, 1, ny), np.linspace(-1, 1, nx), indexing="ij")
    r = np.hypot(x - 0.1, y + 0.05)
    profile = 1.0 / (1.0 + np.exp((r - 0.6) / 0.05)) + 0.02
    profile /= profile.sum()
    profile.setflags(write=False)
    return profile


def orca_frame(
    rng: np.random.Generator, mean_counts: float, shape=banks.ORCA.shape
) -> np.ndarray:
    """One camera frame: Poisson counts on the beam footprint (uint16, as the Orca)."""
    return rng.poisson(beam_profile(shape) * mean_counts).astype(np.uint16)


def make_orca_frames(
    *,
    n_frames: int = 14,
    mean_counts: float = 1e5,
    first_pulse_ns: int = 0,
    seed: int = 0,
    source_name: str = banks.ORCA.name,
) -> list[tuple[int, bytes, np.ndarray]]:
    """(time, ad00 payload, the frame) for consecutive frames."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_frames):
        t = first_pulse_ns + i * PULSE_PERIOD.ns
        frame = orca_frame(rng, mean_counts)
        out.append(
            (t, area_detector_ad00.serialise_ad00(source_name, i, t, frame), frame)
        )
    return out


def detector_events(
    bank: DetectorConfig, n_events: int, *, rng: np.random.Generator
) -> DetectorEvents:
    """Detector numbers and toa (ns): pixels by the footprint over the bank's face."""
    shape = bank.shape
    face = (shape[0] * (shape[1] if len(shape) == 3 else 1), shape[-1])
    weight = beam_profile(face).ravel()
    pixel = rng.choice(weight.size, n_events, p=weight)
    numbers = bank.detector_numbers().ravel()
    geometry = instrument_geometry("tbl")
    positions = geometry.bank(bank.name).positions.reshape(-1, 3)
    l_total = banks.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions[pixel], axis=1)
    lam = rng.uniform(*WAVELENGTH_BAND, n_events)
    t = flight_time_ns(lam, l_total) + sample_emission_ns(rng, n_events)
    toa = np.mod(np.rint(t), PULSE_PERIOD.ns)
    return DetectorEvents(numbers[pixel].astype(np.int32), toa.astype(np.int32))


def make_tbl_events(
    bank_name: str = banks.HE3_NAMES[0],
    *,
    n_pulses: int = PULSE_FREQUENCY_HZ,
    events_per_pulse: int = 2_000,
    first_pulse_ns: int = 0,
    seed: int = 0,
) -> list[tuple[int, bytes]]:
    bank = next(b for b in banks.EVENT_DETECTORS if b.name == bank_name)
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_pulses):
        t = first_pulse_ns + i * PULSE_PERIOD.ns
        events = detector_events(bank, events_per_pulse, rng=rng)
        out.append(
            (t, ev44_bytes(bank_name, t, events.pixel_id, events.time_of_arrival, i))
        )
    return out


def tbl_detector_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = 4,
) -> Iterator[RawMessage]:
    rng = np.random.default_rng(1)
    per_bank = max(1, int(rate / PULSE_FREQUENCY_HZ / len(banks.EVENT_DETECTORS)))
    draws = {
        bank.name: partial(detector_events, bank, per_bank, rng=rng)
        for bank in banks.EVENT_DETECTORS
    }
    yield from pooled_event_messages(
        instrument.stream_mapping(dev),
        StreamKind.DETECTOR_EVENTS,
        draws,
        stop,
        pulse_times=pulse_times,
        pool_size=pool_size,
    )


def tbl_area_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = 4,
) -> Iterator[RawMessage]:
    key = instrument.stream_mapping(dev).key_for(
        StreamId(StreamKind.AREA_DETECTOR, banks.ORCA.name)
    )
    if key is None:
        return
    rng = np.random.default_rng(3)
    pool = [orca_frame(rng, rate / ORCA_FRAMES_PER_S) for _ in range(pool_size)]
    every = round(PULSE_FREQUENCY_HZ / ORCA_FRAMES_PER_S)
    for i, t in enumerate(pulse_clock(stop, pulse_times)):
        if i % every == 0:
            frame = pool[(i // every) % pool_size]
            yield ad00_message(key.topic, key.source_name, t, frame, i // every)


GENERATORS = {"detectors": tbl_detector_messages, "area": tbl_area_messages}
