"""The ESS source pulse as it is: emission-time profile and the table's time bounds.

The profile (McStas model of the ESS moderator) ships as Python code in the
``tof`` package (``tof.facilities.ess_pulse``), so it is available offline;
``tof.Source(facility="ess")`` would download a file and is not used.

The choice for the wavelength tables (``SourceBounds.time``): the protons hit the
target for 2.86 ms; emission follows with a tail. essreduce's analytical table
gives, per (distance, time of arrival), the centre of the wavelengths the
emission window allows; with no chopper that is the wavelength of a neutron
emitted in the middle of the window. A 0-5 ms window puts that middle at 2.5 ms,
later than real neutrons leave (mean 1.75 ms), so wavelengths come out short and
Q and d long (+2.5 % on LOKI at 0.12 Å⁻¹, growing as 1/λ). The window here is
2.86 ms long and centred on the profile's mean emission time, so the table is
unbiased for real neutrons to first order; choppers, where their settings exist
(DREAM), cut it further as before.
"""

from __future__ import annotations

from functools import cache

import numpy as np

PULSE_LENGTH_NS = 2.86e6


@cache
def emission_profile() -> tuple[np.ndarray, np.ndarray]:
    """(emission time in ns, relative probability) of the ESS pulse."""
    from tof.facilities.ess_pulse import birth_time

    times = birth_time.coords["birth_time"].to(unit="ns", dtype="float64").values
    return times, np.asarray(birth_time.values, dtype=np.float64)


def mean_emission_ns() -> float:
    times, weights = emission_profile()
    return float(np.sum(times * weights) / np.sum(weights))


def emission_window_ns() -> tuple[float, float]:
    """The wavelength tables' emission window: PULSE_LENGTH_NS about the mean."""
    centre = mean_emission_ns()
    return (max(0.0, centre - PULSE_LENGTH_NS / 2), centre + PULSE_LENGTH_NS / 2)


def sample_emission_ns(rng: np.random.Generator, size) -> np.ndarray:
    """Emission times (ns) drawn from the real profile (piecewise-linear CDF)."""
    times, weights = emission_profile()
    cdf = np.concatenate([[0.0], np.cumsum(weights)])
    cdf /= cdf[-1]
    step = times[1] - times[0]
    edges = np.concatenate([times - step / 2, [times[-1] + step / 2]])
    return np.interp(rng.random(size), cdf, np.clip(edges, 0.0, None))
