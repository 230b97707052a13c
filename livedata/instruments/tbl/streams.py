"""Kafka topics and source names of TBL (A8, docs/wire.md: ``tbl_area_detector_orca``).

PROD source names are placeholders in the facility's style.
"""

from __future__ import annotations

from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping

from . import banks

LOG_PVS = {
    "chopper_phase": "TBL-ChpSy1:Chop-01:Phs",
    "sample_x": "TBL-MC:Mtr-01.RBV",
}

DEV = StreamMapping(
    instrument="tbl",
    detectors={
        InputStreamKey("tbl_detector", bank.name): bank.name
        for bank in banks.EVENT_DETECTORS
    },
    area_detectors={InputStreamKey("tbl_area_detector", "orca"): banks.ORCA.name},
    monitors={
        InputStreamKey("tbl_beam_monitor", name): name for name in banks.MONITORS
    },
    logs={InputStreamKey("tbl_motion", name): name for name in LOG_PVS},
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
    monitors={
        InputStreamKey("tbl_beam_monitor", f"cbm{i + 1}"): name
        for i, name in enumerate(banks.MONITORS)
    },
    logs={
        InputStreamKey(
            "tbl_choppers" if name == "chopper_phase" else "tbl_motion", pv
        ): name
        for name, pv in LOG_PVS.items()
    },
)
