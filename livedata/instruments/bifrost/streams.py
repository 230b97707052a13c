"""Kafka topics and source names of BIFROST (A8, F2).

All 45 triplets share the ``bifrost_detector`` topic and map to one internal
stream, ``unified_detector``: the adapter merges them by name (F2). DEV source
names are the triplet names; PROD names are placeholders in the facility's style
(its triplet and monitor names differ; see ``facility_streams.tsv``). The f144
logs are the facility's.
"""

from __future__ import annotations

from livedata.instruments.facility_streams import (
    facility_mapping,
    log_names,
    timeseries_sources,
)
from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping

from . import banks

DEV = StreamMapping(
    instrument="bifrost",
    detectors={
        InputStreamKey("bifrost_detector", name): banks.UNIFIED.name
        for name in banks.TRIPLETS
    },
    monitors={
        InputStreamKey("bifrost_beam_monitor", name): name for name in banks.MONITORS
    },
    logs=facility_mapping("bifrost", "dev").logs,
)

PROD = StreamMapping(
    instrument="bifrost",
    detectors={
        InputStreamKey("bifrost_detector", f"bifrost_{name}"): banks.UNIFIED.name
        for name in banks.TRIPLETS
    },
    monitors={
        InputStreamKey("bifrost_beam_monitor", f"cbm{i + 1}"): name
        for i, name in enumerate(banks.MONITORS)
    },
    logs=facility_mapping("bifrost", "prod").logs,
)

# The facility's f144 logs (``facility_streams.tsv``); motors and stages are
# timeseries sources read from their ``.../value`` or ``.../position_readback``.
LOGS = log_names("bifrost")
TIMESERIES_SOURCES = timeseries_sources("bifrost")
DEMO_LOGS = ("KRDG0/value_log", "detector_tank_angle_r0/value")
