"""TBL's wavelength lookup table, for the per-pixel maps of its views.

No chopper settings of TBL ship offline (no ess package describes TBL), so the
table is essreduce's analytical one with no choppers: the ESS pulse (its real
emission window, ``workflows.source_pulse``) over the flight path, its wavelengths limited to ``WAVELENGTH_BAND`` as
TBL's bandwidth choppers would (the chopper_phase log is shown, not used). It
covers the beam monitor (26 m) to the farthest detector pixels (~30 m) and is
cached on disk.
"""

from __future__ import annotations

from livedata.workflows.lookup_tables import NoChopperLookup

from . import banks

LOOKUP = NoChopperLookup(
    "tbl",
    source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
    ltotal_range_m=(25.0, 31.0),
    wavelength_band_angstrom=banks.WAVELENGTH_BAND,
)
