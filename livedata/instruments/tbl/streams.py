"""Kafka topics and source names of TBL (A8, docs/wire.md): the facility's.

DEV: ``tbl_detector`` (source name == detector name), ``tbl_area_detector``
(``orca_detector``), ``tbl_beam_monitor`` and ``tbl_motion``. PROD: one topic
per detector kind (``tbl_detector_3he``, ``_mb``, ``_ngem``, ``_tpx3``),
``tbl_area_detector_orca`` (source ``hama_kfk1``), a CBM monitor and EPICS PV
names for logs (``facility_streams.tsv``).
"""

from __future__ import annotations

from livedata.instruments.facility_streams import (
    facility_mapping,
    log_names,
    timeseries_sources,
)

DEV = facility_mapping("tbl", "dev")
PROD = facility_mapping("tbl", "prod")

# The facility's f144 logs (``facility_streams.tsv``); motors and stages are
# timeseries sources read from their ``.../value`` or ``.../position_readback``.
LOGS = log_names("tbl")
TIMESERIES_SOURCES = timeseries_sources("tbl")
DEMO_LOGS = ("SOM", "camera_stage/position_readback")
