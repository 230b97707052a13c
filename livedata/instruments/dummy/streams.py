"""Kafka topics and source names of the dummy instrument (A8)."""

from __future__ import annotations

from livedata.kafka.stream_mapping import InputStreamKey, StreamMapping

DEV = StreamMapping(
    instrument="dummy",
    detectors={InputStreamKey("dummy_detector", "panel_0"): "panel_0"},
    area_detectors={InputStreamKey("dummy_area_detector", "area_panel"): "area_panel"},
    monitors={
        InputStreamKey("dummy_beam_monitor", "monitor1"): "monitor1",
        InputStreamKey("dummy_beam_monitor", "monitor2"): "monitor2",
    },
    logs={
        InputStreamKey("dummy_motion", "motion1"): "motion1",
        InputStreamKey("dummy_motion", "motion2"): "motion2",
    },
)

# Facility naming: CBM beam monitors and EPICS PV names as source names.
PROD = StreamMapping(
    instrument="dummy",
    detectors={InputStreamKey("dummy_detector", "panel_0"): "panel_0"},
    area_detectors={
        InputStreamKey("dummy_area_detector", "DMY-Det:Cam-01"): "area_panel"
    },
    monitors={
        InputStreamKey("dummy_beam_monitor", "cbm1"): "monitor1",
        InputStreamKey("dummy_beam_monitor", "cbm2"): "monitor2",
    },
    logs={
        InputStreamKey("dummy_motion", "DMY-MC:Mtr-01.RBV"): "motion1",
        InputStreamKey("dummy_motion", "DMY-MC:Mtr-02.RBV"): "motion2",
    },
)
