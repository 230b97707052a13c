"""DREAM detector banks and monitors as plain numbers (no NumPy: specs import this).

Logical dims follow the DREAM NeXus files (essdiffraction's DETECTOR_BANK_SIZES);
pixel counts are reduced so a service and the tests stay fast on a laptop. The first
detector numbers are those of the real banks.
"""

from __future__ import annotations

from livedata.config.instrument import DetectorConfig

# Real sizes, for reference: mantle wire 32, strip 256; endcaps strip 16, wire 16;
# high resolution 32 strips x ~12500 pixels. Reduced here by 2-4x per axis.
MANTLE = DetectorConfig(
    name="mantle_detector",
    first_detector_number=229_377,
    shape=(8, 5, 6, 64, 2),
    dims=("wire", "module", "segment", "strip", "counter"),
)
ENDCAP_BACKWARD = DetectorConfig(
    name="endcap_backward_detector",
    first_detector_number=71_681,
    shape=(8, 8, 11, 28, 2),
    dims=("strip", "wire", "module", "segment", "counter"),
)
ENDCAP_FORWARD = DetectorConfig(
    name="endcap_forward_detector",
    first_detector_number=1,
    shape=(8, 8, 5, 28, 2),
    dims=("strip", "wire", "module", "segment", "counter"),
)
HIGH_RESOLUTION = DetectorConfig(
    name="high_resolution_detector",
    first_detector_number=1_122_337,
    shape=(32, 128),
    dims=("strip", "other"),
)
BANKS = (MANTLE, ENDCAP_BACKWARD, ENDCAP_FORWARD, HIGH_RESOLUTION)
BANK_NAMES = tuple(bank.name for bank in BANKS)

SOURCE_TO_SAMPLE_M = 76.55
# Monitors by name: distance from the source along the beam, in metres.
MONITOR_BUNKER = "monitor_bunker"
MONITOR_CAVE = "monitor_cave"
MONITORS = {MONITOR_BUNKER: 13.55, MONITOR_CAVE: SOURCE_TO_SAMPLE_M - 4.22}
