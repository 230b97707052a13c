"""Kafka topics and source names of BIFROST (A8, F2): the facility's.

The 45 triplets share the ``bifrost_detector`` topic; DEV and PROD name them
as the facility does (``facility_streams.tsv``) and each is read as the one
internal stream ``unified_detector`` (the adapter merges them, F2). Monitors
are the facility's five CBMs; the f144 logs are the facility's.
"""

from __future__ import annotations

from livedata.instruments.facility_streams import (
    facility_mapping,
    log_names,
    timeseries_sources,
)

from . import banks

MERGED = {name: banks.UNIFIED.name for name in banks.TRIPLET_OF}
DEV = facility_mapping("bifrost", "dev", merged=MERGED)
PROD = facility_mapping("bifrost", "prod", merged=MERGED)

# The facility's f144 logs (``facility_streams.tsv``); motors and stages are
# timeseries sources read from their ``.../value`` or ``.../position_readback``.
LOGS = log_names("bifrost")
TIMESERIES_SOURCES = timeseries_sources("bifrost")
DEMO_LOGS = ("KRDG0/value_log", "detector_tank_angle_r0/value")
