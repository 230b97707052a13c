"""DREAM detector banks and monitors as plain numbers (no NumPy: specs import this).

Logical dims and sizes are those of the DREAM NeXus files (essdiffraction's
DETECTOR_BANK_SIZES); detector numbers run from each bank's real first number
over the bank's real count (the real high-resolution bank has gaps in its
numbering; here its 401,344 numbers are consecutive), and a synthetic
small-angle bank after them. 1,187,776 pixels in all.
"""

from __future__ import annotations

from livedata.instruments.instrument import DetectorConfig

MANTLE = DetectorConfig(
    name="mantle_detector",
    first_detector_number=229_377,
    shape=(32, 5, 6, 256, 2),
    dims=("wire", "module", "segment", "strip", "counter"),
)
ENDCAP_BACKWARD = DetectorConfig(
    name="endcap_backward_detector",
    first_detector_number=71_681,
    shape=(16, 16, 11, 28, 2),
    dims=("strip", "wire", "module", "segment", "counter"),
)
ENDCAP_FORWARD = DetectorConfig(
    name="endcap_forward_detector",
    first_detector_number=1,
    shape=(16, 16, 5, 28, 2),
    dims=("strip", "wire", "module", "segment", "counter"),
)
# 1_122_337 .. 1_523_680: 32 strips of 12,542.
HIGH_RESOLUTION = DetectorConfig(
    name="high_resolution_detector",
    first_detector_number=1_122_337,
    shape=(32, 12_542),
    dims=("strip", "other"),
)
# The small-angle bank the facility's DREAM streams carry too (its views read
# it); its numbers follow the high-resolution bank's: 32 strips of 2048.
SANS = DetectorConfig(
    name="sans_detector",
    first_detector_number=1_523_681,
    shape=(32, 2048),
    dims=("strip", "other"),
)
BANKS = (MANTLE, ENDCAP_BACKWARD, ENDCAP_FORWARD, HIGH_RESOLUTION, SANS)
BANK_NAMES = tuple(bank.name for bank in BANKS)
# The banks livedata's powder reduction reads (not the small-angle one).
POWDER_BANK_NAMES = BANK_NAMES[:4]

SOURCE_TO_SAMPLE_M = 76.55
# Monitors by name: distance from the source along the beam, in metres.
MONITOR_BUNKER = "monitor_bunker"
MONITOR_CAVE = "monitor_cave"
MONITORS = {MONITOR_BUNKER: 13.55, MONITOR_CAVE: SOURCE_TO_SAMPLE_M - 4.22}
