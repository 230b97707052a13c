"""LOKI's wavelength lookup table and the per-pixel conversions of its views.

No chopper settings of LOKI ship offline (ess.loki downloads its tables), so the
table is essreduce's analytical one with no choppers: the ESS pulse (emission
0-5 ms) over the flight path, its wavelengths limited to ``WAVELENGTH_BAND`` as
LOKI's bandwidth choppers would. It covers the incident monitor (21 m) to the
rear bank at the far end of the carriage (~34 m) and is cached on disk.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from livedata.geometry.lookup_tables import FrameUnwrap, TableRows, no_chopper_table

from . import banks

LTOTAL_RANGE_M = (20.0, 35.0)


@cache
def lookup_table():
    """essreduce's analytical ``LookupTable`` (no choppers, LOKI's band)."""
    return no_chopper_table(
        "loki",
        source_to_sample_m=banks.SOURCE_TO_SAMPLE_M,
        ltotal_range_m=LTOTAL_RANGE_M,
        wavelength_band_angstrom=banks.WAVELENGTH_BAND,
    )


@cache
def table_rows() -> TableRows:
    return TableRows.from_table(lookup_table())


def frame_unwrap(ltotal_m: np.ndarray) -> FrameUnwrap:
    return table_rows().frame_unwrap(ltotal_m)
