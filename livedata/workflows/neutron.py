"""Neutron kinematics shared by views, conversions, fakes and their tests:
one value of h / m_n in one place."""

from __future__ import annotations

import numpy as np

H_OVER_MN = 3.956034e-7  # m^2/s: wavelength = (h / m_n) * t / L
H_OVER_MN_ANGSTROM = H_OVER_MN * 1e10  # m Å / s


def flight_time_ns(
    wavelength_angstrom: np.ndarray | float, distance_m: np.ndarray | float
) -> np.ndarray:
    """How long a neutron of ``wavelength_angstrom`` takes over ``distance_m``."""
    return np.asarray(wavelength_angstrom) * distance_m / H_OVER_MN_ANGSTROM * 1e9
