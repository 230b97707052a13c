"""DREAM's wavelength lookup table, computed offline from the chopper settings.

essreduce's analytical mode propagates the ESS pulse through DREAM's choppers
(``ess.dream.beamline.choppers``) with no files, in about half a second; the
table is kept on disk (``livedata.workflows.lookup_tables``), so each service
process loads it instead. It covers the bunker monitor (13.55 m, behind the T0
chopper at 13.05 m) to the farthest pixels.

``FrameUnwrap`` undoes the wrap per pixel so that detector views can bin
wavelength with a per-pixel linear map; the DREAM fake inverts the same table (an
independent physics check of the table is in the tests).
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import scipp as sc

from livedata.workflows.lookup_tables import (
    FrameUnwrap,
    TableRows,
    analytical_table,
    cached_table,
)

from . import banks
from .powder_spec import ChopperSetting

# Flight paths the table covers: bunker monitor (13.55 m) to the farthest pixels.
LTOTAL_RANGE_M = (13.0, 79.5)

DEFAULT_SETTING = ChopperSetting.HIGH_FLUX_BC240


def source_position() -> sc.Variable:
    return sc.vector([0.0, 0.0, -banks.SOURCE_TO_SAMPLE_M], unit="m")


def disk_choppers(setting: ChopperSetting = DEFAULT_SETTING) -> dict:
    """DREAM's disk choppers in sample coordinates (essdiffraction puts the source
    at the origin; our frame has the sample there)."""
    from ess.dream.beamline import InstrumentConfiguration, choppers

    config = InstrumentConfiguration[setting.value]
    shift = source_position()
    return {
        name: dataclasses.replace(
            chopper, axle_position=chopper.axle_position.to(unit="m") + shift
        )
        for name, chopper in choppers(config).items()
    }


@cache
def lookup_table(setting: ChopperSetting = DEFAULT_SETTING):
    """The analytical ``LookupTable`` for all DREAM banks and both monitors."""
    inputs = {
        "setting": setting.value,
        "ltotal_range_m": LTOTAL_RANGE_M,
        "source_z_m": -banks.SOURCE_TO_SAMPLE_M,
    }
    return cached_table(
        "dream",
        inputs,
        lambda: analytical_table(
            choppers=disk_choppers(setting),
            source_position=source_position(),
            ltotal_range_m=LTOTAL_RANGE_M,
        ),
    )


@cache
def table_rows(setting: ChopperSetting = DEFAULT_SETTING) -> TableRows:
    return TableRows.from_table(lookup_table(setting))


def time_of_arrival_ns(
    ltotal_m: np.ndarray,
    wavelength_angstrom: np.ndarray,
    setting: ChopperSetting = DEFAULT_SETTING,
) -> np.ndarray:
    """event_time_offset (ns in the pulse) at which the table gives this wavelength."""
    return table_rows(setting).time_of_arrival_ns(ltotal_m, wavelength_angstrom)


def frame_unwrap(
    ltotal_m: np.ndarray, setting: ChopperSetting = DEFAULT_SETTING
) -> FrameUnwrap:
    return table_rows(setting).frame_unwrap(ltotal_m)
