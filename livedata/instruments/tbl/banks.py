"""TBL detectors and distances (light: no NumPy).

The Orca is reduced from 2048 x 2048 to 512 x 512 (binned 4 x 4, as the camera
can) to keep frames and tests light.
"""

from __future__ import annotations

from livedata.config.instrument import AreaDetectorConfig, DetectorConfig

SOURCE_TO_SAMPLE_M = 28.0
ORCA = AreaDetectorConfig(name="orca", shape=(512, 512))
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
