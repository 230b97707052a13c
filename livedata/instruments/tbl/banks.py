"""TBL detectors and distances (light: no NumPy).

The Orca delivers full 2048 x 2048 frames; its view bins them 4 x 4 by default
(``ORCA_DOWNSAMPLE``) so that published images stay small.
"""

from __future__ import annotations

from livedata.instruments.instrument import AreaDetectorConfig, DetectorConfig

SOURCE_TO_SAMPLE_M = 28.0
ORCA = AreaDetectorConfig(name="orca", shape=(2048, 2048))
ORCA_DOWNSAMPLE = 4
HE3 = DetectorConfig(
    name="he3_detector", first_detector_number=1, shape=(8, 128), dims=("tube", "pixel")
)
MULTIBLADE = DetectorConfig(
    name="multiblade_detector",
    first_detector_number=100_001,
    shape=(16, 32, 32),
    dims=("blade", "wire", "strip"),
)
EVENT_DETECTORS = (HE3, MULTIBLADE)
# Sample to detector centre (m) and detector size (m) for the layout.
DISTANCES_M = {HE3.name: 2.0, MULTIBLADE.name: 1.0}
MONITORS = {"monitor_1": 26.0}
# Neutrons the fakes emit; the lookup table's source band (bandwidth choppers).
WAVELENGTH_BAND = (1.0, 6.0)  # Å
