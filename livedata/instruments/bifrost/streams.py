"""Kafka topics and source names of BIFROST (A8, F2).

All 45 triplets share the ``bifrost_detector`` topic and map to one internal
stream, ``unified_detector``: the adapter merges them by name (F2). DEV source
names are the triplet names; PROD names are placeholders in the facility's style.
"""

from __future__ import annotations

from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping

from . import banks

LOG_PVS = {
    "sample_temperature": "BIFRO-SE:TC-01:T",
    "sample_rotation": "BIFRO-MC:Mtr-A3.RBV",
    "detector_tank_angle": "BIFRO-MC:Mtr-A4.RBV",
}

DEV = StreamMapping(
    instrument="bifrost",
    detectors={
        InputStreamKey("bifrost_detector", name): banks.UNIFIED.name
        for name in banks.TRIPLETS
    },
    monitors={
        InputStreamKey("bifrost_beam_monitor", name): name for name in banks.MONITORS
    },
    logs={InputStreamKey("bifrost_motion", name): name for name in LOG_PVS},
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
    logs={
        InputStreamKey(
            "bifrost_sample_env" if name == "sample_temperature" else "bifrost_motion",
            pv,
        ): name
        for name, pv in LOG_PVS.items()
    },
)
