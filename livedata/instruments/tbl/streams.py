"""Kafka topics and source names of TBL (A8, docs/wire.md: ``tbl_area_detector_orca``).

Monitors and f144 logs are the facility's (``facility_streams.tsv``); the
detectors are livedata's own (the facility has two He-3 banks, an nGEM and a
Timepix3 that livedata does not describe yet), their PROD names placeholders.
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
    instrument="tbl",
    detectors={
        InputStreamKey("tbl_detector", bank.name): bank.name
        for bank in banks.EVENT_DETECTORS
    },
    area_detectors={InputStreamKey("tbl_area_detector", "orca"): banks.ORCA.name},
    monitors=facility_mapping("tbl", "dev").monitors,
    logs=facility_mapping("tbl", "dev").logs,
)

PROD = StreamMapping(
    instrument="tbl",
    detectors={
        InputStreamKey("tbl_detector_he3", "tbl"): banks.HE3.name,
        InputStreamKey("tbl_detector_mb", "tbl"): banks.MULTIBLADE.name,
    },
    area_detectors={
        InputStreamKey("tbl_area_detector_orca", "TBL-DetImg:Cam-Orca"): banks.ORCA.name
    },
    monitors=facility_mapping("tbl", "prod").monitors,
    logs=facility_mapping("tbl", "prod").logs,
)

# The facility's f144 logs (``facility_streams.tsv``); motors and stages are
# timeseries sources read from their ``.../value`` or ``.../position_readback``.
LOGS = log_names("tbl")
TIMESERIES_SOURCES = timeseries_sources("tbl")
DEMO_LOGS = ("SOM", "camera_stage/position_readback")
