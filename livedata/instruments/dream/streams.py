"""Kafka topics and source names of DREAM (A8, docs/wire.md): the facility's.

DEV: one ``dream_detector`` topic, source name == bank name, logs on
``dream_motion``. PROD: one topic per bank (``dream_detector_{mantle,bwec,fwec,
hr,sans}``, source name ``dream``), CBM beam monitors, EPICS PV names for the
choppers, slits and the accelerator's ``neutron_prod_info`` logs
(``facility_streams.tsv``).
"""

from __future__ import annotations

from livedata.instruments.facility_streams import (
    facility_mapping,
    log_names,
    timeseries_sources,
)

DEV = facility_mapping("dream", "dev")
PROD = facility_mapping("dream", "prod")
LOGS = log_names("dream")
# The facility's timeseries sources: logs, and motors read from ``.../value``.
TIMESERIES_SOURCES = timeseries_sources("dream")
