"""Kafka topics and source names of the dummy instrument (A8): the facility's.

DEV: source name == stream name; PROD: CBM beam monitors (``cbm1``..``cbm10``),
no logs (``facility_streams.tsv``).
"""

from __future__ import annotations

from livedata.instruments.facility_streams import facility_mapping

DEV = facility_mapping("dummy", "dev")
PROD = facility_mapping("dummy", "prod")
