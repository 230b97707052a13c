"""``kafka topics create`` makes the topics of both mappings unless told one."""

from __future__ import annotations

from livedata.instruments import get_instrument
from livedata.services.topics import topics_to_create

LOKI = get_instrument("loki")


def test_both_mappings_by_default_so_either_service_mode_finds_its_topics() -> None:
    both = topics_to_create(LOKI)
    dev = topics_to_create(LOKI, dev=True)
    prod = topics_to_create(LOKI, dev=False)
    assert "loki_detector" in dev and "loki_detector" not in prod
    assert "loki_detector_bank0" in prod and "loki_detector_bank0" not in dev
    assert set(both) == set(dev) | set(prod)
    assert both["loki_livedata_commands"].config["retention.ms"] == "172800000"
