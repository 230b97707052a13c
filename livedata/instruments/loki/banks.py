"""LOKI detector banks and beamline distances (light: no NumPy).

A rear bank of vertical tubes on the beam axis and eight panels around the beam:
four in a middle ring (left, top, right, bottom) and four in a front ring closer
to the sample, as at LOKI. Pixel counts are reduced from the real detector (a
few thousand pixels per bank instead of tens of thousands) to keep tests and
demos light; positions and solid angles are realistic.
"""

from __future__ import annotations

from dataclasses import dataclass

from livedata.config.instrument import DetectorConfig

SOURCE_TO_SAMPLE_M = 23.6
# Monitors, distance from the source: incident upstream of the sample,
# transmission just behind it (in the beam, in front of the beam stop).
MONITOR_INCIDENT = "monitor_incident"
MONITOR_TRANSMISSION = "monitor_transmission"
MONITORS = {MONITOR_INCIDENT: 21.0, MONITOR_TRANSMISSION: 24.6}

REAR_SHAPE = (64, 64)  # (tube, pixel): tubes along x, pixels along y
PANEL_SHAPE = (16, 64)  # (tube, pixel): tubes across the panel, pixels along it


@dataclass(frozen=True)
class PanelPlacement:
    """Where a bank sits: distance from the sample and its place around the beam.

    ``side`` is the direction of the panel from the beam axis (``centre`` for the
    rear bank); ``inner_m``/``outer_m`` its distance range from the axis and
    ``length_m`` its extent along the tubes' direction.
    """

    z_m: float
    side: str
    inner_m: float
    outer_m: float
    length_m: float


def _bank(index: int, shape: tuple[int, int], first: int) -> DetectorConfig:
    return DetectorConfig(
        name=f"loki_detector_{index}",
        first_detector_number=first,
        shape=shape,
        dims=("tube", "pixel"),
    )


def _make_banks() -> tuple[DetectorConfig, ...]:
    out = []
    first = 1
    for index in range(9):
        shape = REAR_SHAPE if index == 0 else PANEL_SHAPE
        bank = _bank(index, shape, first)
        out.append(bank)
        first += bank.n_pixels
    return tuple(out)


BANKS = _make_banks()
BANK_NAMES = tuple(bank.name for bank in BANKS)
REAR = BANKS[0]
_SIDES = ("left", "top", "right", "bottom")
PLACEMENTS: dict[str, PanelPlacement] = {
    REAR.name: PanelPlacement(5.0, "centre", 0.0, 0.5, 1.0),
    **{
        BANKS[1 + i].name: PanelPlacement(2.5, side, 0.5, 0.9, 1.0)
        for i, side in enumerate(_SIDES)
    },
    **{
        BANKS[5 + i].name: PanelPlacement(1.2, side, 0.3, 0.6, 0.6)
        for i, side in enumerate(_SIDES)
    },
}
