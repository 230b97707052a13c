"""LOKI's wavelength lookup table, for I(Q) and the per-pixel maps of its views.

No chopper settings of LOKI ship offline (ess.loki downloads its tables), so the
table is essreduce's analytical one with no choppers: the ESS pulse (its real
emission window, ``geometry.source_pulse``) over the flight path, its wavelengths limited to ``WAVELENGTH_BAND`` as
LOKI's bandwidth choppers would. It covers the incident monitor (21 m) to the
rear bank at the far end of the carriage (~34 m) and is cached on disk.
"""

from __future__ import annotations

from livedata.workflows.lookup_tables import NoChopperLookup

from . import banks

LOOKUP = NoChopperLookup(
    "loki",
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    ltotal_range_m=(20.0, 35.0),
    wavelength_band_angstrom=banks.WAVELENGTH_BAND,
)
