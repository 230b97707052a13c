"""TBL detectors and distances (light: no NumPy), named as the facility names them.

Two He-3 tube banks, a Multi-Blade, an nGEM and a Timepix3 (event detectors)
and the Orca camera (dense frames). The Orca delivers full 2048 x 2048 frames;
livedata's own view bins them 4 x 4 by default (``ORCA_DOWNSAMPLE``) so that
published images stay small. Sizes and numbering are synthetic.
"""

from __future__ import annotations

from livedata.instruments.instrument import AreaDetectorConfig, DetectorConfig

SOURCE_TO_SAMPLE_M = 28.0
ORCA = AreaDetectorConfig(name="orca_detector", shape=(2048, 2048))
ORCA_DOWNSAMPLE = 4
HE3_BANKS = tuple(
    DetectorConfig(
        name=f"he3_detector_bank{index}",
        first_detector_number=1 + index * 1024,
        shape=(8, 128),
        dims=("tube", "pixel"),
    )
    for index in range(2)
)
MULTIBLADE = DetectorConfig(
    name="multiblade_detector",
    first_detector_number=100_001,
    shape=(16, 32, 32),
    dims=("blade", "wire", "strip"),
)
NGEM = DetectorConfig(
    name="ngem_detector",
    first_detector_number=200_001,
    shape=(128, 128),
    dims=("y", "x"),
)
TIMEPIX3 = DetectorConfig(
    name="timepix3_detector",
    first_detector_number=300_001,
    shape=(256, 256),
    dims=("y", "x"),
)
EVENT_DETECTORS = (*HE3_BANKS, MULTIBLADE, NGEM, TIMEPIX3)
HE3_NAMES = tuple(bank.name for bank in HE3_BANKS)
# Sample to detector centre (m).
DISTANCES_M = {
    **{name: 2.0 for name in HE3_NAMES},
    MULTIBLADE.name: 1.0,
    NGEM.name: 1.5,
    TIMEPIX3.name: 1.2,
}
# Faces of the imaging detectors (m), square.
IMAGING_SIZES_M = {NGEM.name: 0.1, TIMEPIX3.name: 0.028}
MONITORS = {"monitor_1": 26.0}
# Neutrons the fakes emit; the lookup table's source band (bandwidth choppers).
WAVELENGTH_BAND = (1.0, 6.0)  # Å
