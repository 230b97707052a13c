"""BIFROST detector numbering and beamline distances (light: no NumPy).

Detector numbers are laid out so that the merged flat array folds straight into
(arc, tube, channel, pixel): number = 1 + ((arc * 3 + tube) * 9 + channel) * 100
+ pixel. A triplet (one arc, one channel) therefore holds three runs of 100.
Triplets and monitors carry the facility's names (``facility_streams.tsv``):
in DEV ``125_channel_1_1_triplet`` .. ``309_channel_9_5_triplet`` (channel, then
arc, from 1), in PROD ``arc0_triplet0`` .. ``arc4_triplet8``.
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
# The facility's five beam monitors, distance from the source (m; synthetic).
MONITORS = {
    "psc_monitor": 6.5,
    "overlap_monitor": 8.5,
    "bandwidth_monitor": 78.0,
    "normalization_monitor": 160.0,
    "elastic_monitor": 162.5,
}
# Final energies of the five analyser arcs (meV).
ARC_ENERGIES_MEV = (2.7, 3.2, 3.8, 4.4, 5.0)


def triplet_name(arc: int, channel: int) -> str:
    """A triplet's DEV source (and stream) name, as the facility names it."""
    return f"{125 + 21 * channel + 4 * arc}_channel_{channel + 1}_{arc + 1}_triplet"


def prod_triplet_name(arc: int, channel: int) -> str:
    """A triplet's PROD stream name (its source name is ``arc=A;triplet=C``)."""
    return f"arc{arc}_triplet{channel}"


TRIPLETS = tuple(
    triplet_name(arc, channel) for channel in range(N_CHANNEL) for arc in range(N_ARC)
)
# Either name of a triplet -> (arc, channel).
TRIPLET_OF = {
    name(arc, channel): (arc, channel)
    for name in (triplet_name, prod_triplet_name)
    for arc in range(N_ARC)
    for channel in range(N_CHANNEL)
}


def detector_number(arc: int, tube: int, channel: int, pixel: int) -> int:
    return (
        UNIFIED.first_detector_number
        + ((arc * N_TUBE + tube) * N_CHANNEL + channel) * N_PIXEL
        + pixel
    )
