"""TBL's wavelength lookup table and the per-pixel conversions of its views.

No chopper settings of TBL ship offline (no ess package describes TBL), so the
table is essreduce's analytical one with no choppers: the ESS pulse (emission
0-5 ms) over the flight path, its wavelengths limited to ``WAVELENGTH_BAND`` as
TBL's bandwidth choppers would (the chopper_phase log is shown, not used). It
covers the beam monitor (26 m) to the farthest detector pixels (~30 m) and is
cached on disk.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.geometry.lookup_tables import FrameUnwrap, TableRows, no_chopper_table

from . import banks

LTOTAL_RANGE_M = (25.0, 31.0)


@cache
def lookup_table():
    """essreduce's analytical ``LookupTable`` (no choppers, TBL's band)."""
    return no_chopper_table(
        "tbl",
        source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
        ltotal_range_m=LTOTAL_RANGE_M,
        wavelength_band_angstrom=banks.WAVELENGTH_BAND,
    )


@cache
def table_rows() -> TableRows:
    return TableRows.from_table(lookup_table())


def frame_unwrap(ltotal_m: np.ndarray) -> FrameUnwrap:
    return table_rows().frame_unwrap(ltotal_m)
