"""BIFROST fakes: events per triplet, as the 45 real streams send them (ev44).

Each arc's analysers pass one final energy; a sample scattering quasi-elastically
(energy transfer ~ N(0, 0.3 meV)) gives each arc a peak in time of arrival at
t = L1 / v_i + L2 / v_f (L2 via the analyser above the tube, as the views
assume), folded into the 71.4 ms pulse. Channel intensities
differ (a smooth function of scattering angle) and pixels cluster in the middle of
each tube, so the ratemeter and the views have structure.

Standalone: ``triplet_events`` (pixel ids, times), ``make_bifrost_events`` (ev44
payloads of every triplet per pulse); ``GENERATORS`` for the demo fakes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np

from livedata.core.events import DetectorEvents
from livedata.core.timestamp import PULSE_FREQUENCY_HZ, PULSE_PERIOD
from livedata.instruments.fakes import cycle_event_pools, pulse_clock
from livedata.instruments.instrument import Instrument
from livedata.instruments.instrument_geometry import instrument_geometry
from livedata.kafka.raw import RawMessage
from livedata.kafka.wire_builders import ev44_bytes

from . import banks
from .conversions import MEV_TO_SPEED, secondary_paths
from .layout import triplet_numbers

ENERGY_WIDTH_MEV = 0.3


def channel_weight(channel: int) -> float:
    """Relative intensity of a channel (smooth in scattering angle)."""
    return 1.0 + 0.5 * np.cos(channel * 0.7)


def triplet_events(
    arc: int, channel: int, n_events: int, *, rng: np.random.Generator
) -> DetectorEvents:
    """Detector numbers and time of arrival (ns) of one triplet's events."""
    numbers = triplet_numbers(arc, channel)  # (tube, pixel)
    tube = rng.integers(0, banks.N_TUBE, n_events)
    pixel = np.clip(
        rng.normal(banks.N_PIXEL / 2, banks.N_PIXEL / 6, n_events), 0, banks.N_PIXEL - 1
    ).astype(np.int64)
    geometry = instrument_geometry("bifrost")
    positions = geometry.bank(banks.UNIFIED.name).positions[arc, :, channel, :]
    l2 = secondary_paths(positions[tube, pixel])
    e_final = banks.ARC_ENERGIES_MEV[arc]
    e_initial = np.clip(e_final + rng.normal(0, ENERGY_WIDTH_MEV, n_events), 0.5, None)
    t = banks.SOURCE_TO_SAMPLE_M / (MEV_TO_SPEED * np.sqrt(e_initial))
    t += l2 / (MEV_TO_SPEED * np.sqrt(e_final))
    toa = np.mod(np.rint(t * 1e9), PULSE_PERIOD.ns).astype(np.int32)
    return DetectorEvents(numbers[tube, pixel].astype(np.int32), toa)


def events_per_triplet(total_per_pulse: float) -> dict[tuple[int, int], int]:
    """Split a pulse's events over triplets by channel weight."""
    weights = {
        (arc, ch): channel_weight(ch)
        for arc in range(banks.N_ARC)
        for ch in range(banks.N_CHANNEL)
    }
    norm = sum(weights.values())
    return {k: max(1, int(total_per_pulse * w / norm)) for k, w in weights.items()}


def make_bifrost_events(
    *,
    n_pulses: int = PULSE_FREQUENCY_HZ,
    events_per_pulse: int = 20_000,
    first_pulse_ns: int = 0,
    seed: int = 0,
) -> list[tuple[int, str, bytes]]:
    """(pulse time, DEV source name, ev44 payload) for every triplet and pulse."""
    rng = np.random.default_rng(seed)
    split = events_per_triplet(events_per_pulse)
    out = []
    for i in range(n_pulses):
        t = first_pulse_ns + i * PULSE_PERIOD.ns
        for (arc, channel), n in split.items():
            events = triplet_events(arc, channel, n, rng=rng)
            name = banks.triplet_name(arc, channel)
            payload = ev44_bytes(name, t, events.pixel_id, events.time_of_arrival, i)
            out.append((t, name, payload))
    return out


def bifrost_detector_messages(
    instrument: Instrument,
    rate: float,
    stop: threading.Event,
    dev: bool,
    *,
    pulse_times: Iterator[int] | None = None,
    pool_size: int = 4,
) -> Iterator[RawMessage]:
    """One ev44 per triplet and pulse, ``rate`` events/s in total."""
    mapping = instrument.stream_mapping(dev)
    rng = np.random.default_rng(1)
    split = events_per_triplet(rate / PULSE_FREQUENCY_HZ)
    pools = {}
    for key, name in mapping.detectors.items():
        triplet = banks.TRIPLET_OF.get(name)
        if triplet is not None:
            pools[key] = [
                triplet_events(*triplet, split[triplet], rng=rng)
                for _ in range(pool_size)
            ]
    yield from cycle_event_pools(pools, pulse_clock(stop, pulse_times))


GENERATORS = {"detectors": bifrost_detector_messages}
