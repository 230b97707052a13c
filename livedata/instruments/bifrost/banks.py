"""BIFROST detector numbering and beamline distances (light: no NumPy).

Detector numbers are laid out so that the merged flat array folds straight into
(arc, tube, channel, pixel): number = 1 + ((arc * 3 + tube) * 9 + channel) * 100
+ pixel. A triplet (one arc, one channel) therefore holds three runs of 100.
"""

from __future__ import annotations

from livedata.instruments.instrument import DetectorConfig

N_ARC, N_TUBE, N_CHANNEL, N_PIXEL = 5, 3, 9, 100
UNIFIED = DetectorConfig(
    name="unified_detector",
    first_detector_number=1,
    shape=(N_ARC, N_TUBE, N_CHANNEL, N_PIXEL),
    dims=("arc", "tube", "channel", "pixel"),
)
SOURCE_TO_SAMPLE_M = 162.0
MONITORS = {"monitor_normalisation": 160.0}
# Final energies of the five analyser arcs (meV).
ARC_ENERGIES_MEV = (2.7, 3.2, 3.8, 4.4, 5.0)


def triplet_name(arc: int, channel: int) -> str:
    return f"triplet_arc{arc}_channel{channel}"


TRIPLETS = tuple(
    triplet_name(arc, channel) for arc in range(N_ARC) for channel in range(N_CHANNEL)
)


def detector_number(arc: int, tube: int, channel: int, pixel: int) -> int:
    return (
        UNIFIED.first_detector_number
        + ((arc * N_TUBE + tube) * N_CHANNEL + channel) * N_PIXEL
        + pixel
    )
