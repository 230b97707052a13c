"""LOKI detector banks and beamline distances (light: no NumPy).

A rear bank on the detector carriage, on the beam axis, and eight panels around
the beam: four in a middle ring (left, top, right, bottom) and four in a front
ring closer to the sample, as at LOKI. Real sizes and numbering (esssans's
DETECTOR_BANK_SIZES; 512 pixels per straw): each bank is (layer 4, tube, straw 7,
pixel 512) with consecutive detector numbers from 1, 3,211,264 pixels in all.
Positions are synthetic but realistic (tube pitch, straw clusters, layers).
"""

from __future__ import annotations

from dataclasses import dataclass

from livedata.instruments.instrument import DetectorConfig

SOURCE_TO_SAMPLE_M = 23.6
# The facility's five beam monitors, distance from the source (m; synthetic):
# m1 is the incident monitor upstream of the sample, m3 the transmission
# monitor just behind it (in the beam, in front of the beam stop), as the
# facility's I(Q) takes them.
MONITOR_INCIDENT = "beam_monitor_m1"
MONITOR_TRANSMISSION = "beam_monitor_m3"
MONITORS = {
    "beam_monitor_m0": 8.0,
    MONITOR_INCIDENT: 21.0,
    "beam_monitor_m2": 22.5,
    MONITOR_TRANSMISSION: 24.6,
    "beam_monitor_m4": 26.0,
}
# The transmission monitor is pixelated: its events say which of these pixels
# (numbered 1.. in (y, x) order) they hit; 16 x 16 over 4 cm (synthetic).
MONITOR_PIXELS = DetectorConfig(
    name=MONITOR_TRANSMISSION, first_detector_number=1, shape=(16, 16), dims=("y", "x")
)
MONITOR_PIXEL_SIZE_M = 0.04 / 16
# The carriage motor's readback: the rear bank's distance from the sample (m).
CARRIAGE_LOG = "detector_carriage/value"

DIMS = ("layer", "tube", "straw", "pixel")
N_LAYER, N_STRAW, N_PIXEL = 4, 7, 512
TUBES = (56, 16, 12, 16, 12, 28, 32, 20, 32)  # per bank, as at LOKI
TUBE_PITCH_M = 0.0254  # one-inch tubes side by side
# The rear bank's distance from the sample when the carriage log says nothing else.
NOMINAL_CARRIAGE_M = 5.0
# Neutrons the fakes emit; the lookup table's source band (bandwidth choppers).
WAVELENGTH_BAND = (2.0, 9.0)  # Å


@dataclass(frozen=True)
class PanelPlacement:
    """Where a bank sits: distance from the sample and its place around the beam.

    ``side`` is the direction of the panel from the beam axis (``centre`` for the
    rear bank); ``inner_m`` its distance from the axis (the rear bank is centred
    on it) and ``length_m`` the length of its tubes.
    """

    z_m: float
    side: str
    inner_m: float
    length_m: float


def _make_banks() -> tuple[DetectorConfig, ...]:
    out = []
    first = 1
    for index, tubes in enumerate(TUBES):
        bank = DetectorConfig(
            name=f"loki_detector_{index}",
            first_detector_number=first,
            shape=(N_LAYER, tubes, N_STRAW, N_PIXEL),
            dims=DIMS,
        )
        out.append(bank)
        first += bank.n_pixels
    return tuple(out)


BANKS = _make_banks()
BANK_NAMES = tuple(bank.name for bank in BANKS)
REAR = BANKS[0]
_SIDES = ("left", "top", "right", "bottom")
PLACEMENTS: dict[str, PanelPlacement] = {
    REAR.name: PanelPlacement(NOMINAL_CARRIAGE_M, "centre", 0.0, 1.0),
    **{
        BANKS[1 + i].name: PanelPlacement(2.5, side, 0.5, 1.0)
        for i, side in enumerate(_SIDES)
    },
    **{
        BANKS[5 + i].name: PanelPlacement(1.2, side, 0.4, 0.8)
        for i, side in enumerate(_SIDES)
    },
}
