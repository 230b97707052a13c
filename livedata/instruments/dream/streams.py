"""Kafka topics and source names of DREAM (A8, docs/wire.md).

DEV follows the generic convention (one ``dream_detector`` topic, source name ==
bank name). PROD uses the facility topics, one per bank
(``dream_detector_{mantle,bwec,fwec,hr}``, source name ``dream``), CBM beam
monitors and EPICS PV names for logs.
"""

from __future__ import annotations

from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping

from . import banks

# Log streams: internal name -> EPICS PV name used in production.
LOG_PVS = {
    "sample_temperature": "DREAM-SE:TC-01:T",
    "sample_rotation": "DREAM-MC:Mtr-01.RBV",
    "proton_current": "DREAM-PC:Curr-01",
}
_PROD_DETECTOR_TOPICS = {
    banks.MANTLE.name: "dream_detector_mantle",
    banks.ENDCAP_BACKWARD.name: "dream_detector_bwec",
    banks.ENDCAP_FORWARD.name: "dream_detector_fwec",
    banks.HIGH_RESOLUTION.name: "dream_detector_hr",
}
_PROD_MONITOR_SOURCES = {banks.MONITOR_BUNKER: "cbm1", banks.MONITOR_CAVE: "cbm2"}

DEV = StreamMapping(
    instrument="dream",
    detectors={
        InputStreamKey("dream_detector", name): name for name in banks.BANK_NAMES
    },
    monitors={
        InputStreamKey("dream_beam_monitor", name): name for name in banks.MONITORS
    },
    logs={InputStreamKey("dream_motion", name): name for name in LOG_PVS},
)

PROD = StreamMapping(
    instrument="dream",
    detectors={
        InputStreamKey(topic, "dream"): name
        for name, topic in _PROD_DETECTOR_TOPICS.items()
    },
    monitors={
        InputStreamKey("dream_beam_monitor", source): name
        for name, source in _PROD_MONITOR_SOURCES.items()
    },
    logs={
        InputStreamKey(
            "dream_sample_env" if name == "sample_temperature" else "dream_motion", pv
        ): name
        for name, pv in LOG_PVS.items()
    },
)
