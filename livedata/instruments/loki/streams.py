"""Kafka topics and source names of LOKI (A8, docs/wire.md).

DEV: one ``loki_detector`` topic, source name == bank name. PROD: one topic per
bank (``loki_detector_bank0..8``, source name ``loki``), CBM beam monitors and
EPICS PV names for logs. The PV names are placeholders in the facility's style.
"""

from __future__ import annotations

from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping

from . import banks

LOG_PVS = {
    "detector_carriage": "LOKI-MC:Mtr-Carr.RBV",
    "sample_temperature": "LOKI-SE:TC-01:T",
}
_PROD_MONITORS = {banks.MONITOR_INCIDENT: "cbm1", banks.MONITOR_TRANSMISSION: "cbm2"}

DEV = StreamMapping(
    instrument="loki",
    detectors={
        InputStreamKey("loki_detector", name): name for name in banks.BANK_NAMES
    },
    monitors={
        InputStreamKey("loki_beam_monitor", name): name for name in banks.MONITORS
    },
    logs={InputStreamKey("loki_motion", name): name for name in LOG_PVS},
)

PROD = StreamMapping(
    instrument="loki",
    detectors={
        InputStreamKey(f"loki_detector_bank{i}", "loki"): name
        for i, name in enumerate(banks.BANK_NAMES)
    },
    monitors={
        InputStreamKey("loki_beam_monitor", source): name
        for name, source in _PROD_MONITORS.items()
    },
    logs={
        InputStreamKey(
            "loki_sample_env" if name == "sample_temperature" else "loki_motion", pv
        ): name
        for name, pv in LOG_PVS.items()
    },
)
