"""Kafka topics and source names of LOKI (A8, docs/wire.md): the facility's.

DEV: one ``loki_detector`` topic, source name == bank name, monitors
``monitor1``..``monitor5`` (streams ``beam_monitor_m0``..``m4``), logs on
``loki_motion``. PROD: one topic per bank (``loki_detector_bank0..8``, source
name ``caen``), CBM beam monitors and EPICS PV names for choppers, motors and
the accelerator's ``neutron_prod_info`` logs (``facility_streams.tsv``).
"""

from __future__ import annotations

from livedata.instruments.facility_streams import (
    facility_mapping,
    log_names,
    timeseries_sources,
)

DEV = facility_mapping("loki", "dev")
PROD = facility_mapping("loki", "prod")
LOGS = log_names("loki")
# The facility's timeseries sources: logs, and motors read from ``.../value``.
TIMESERIES_SOURCES = timeseries_sources("loki")
DEMO_LOGS = ("detector_carriage/value", "sample_rotation/value")
