"""livedata's DEV and PROD stream mappings against the facility's, entry for entry
(topic, source name, internal name) for detectors, area detectors, monitors and
f144 logs (issue 12, A8)."""

from __future__ import annotations

import pytest

from livedata.instruments import get_instrument
from livedata.instruments.facility_streams import timeseries_sources

from .peer_contract import INSTRUMENTS, streams, workflows

KINDS = ("detectors", "area_detectors", "monitors", "logs")
# Instruments whose mappings are the facility's in full; of the others, the
# kinds that are (LOKI's monitors, BIFROST's triplets and monitors and TBL's
# detectors keep livedata's names for now).
ADOPTED = ("dummy", "dream")
PARTLY = (("bifrost", "logs"), ("tbl", "logs"), ("tbl", "monitors"))


def entries(mapping, kind: str) -> set[tuple[str, str, str]]:
    table = getattr(mapping, kind)
    return {(key.topic, key.source_name, name) for key, name in table.items()}


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize(
    ("instrument", "kind"),
    [(inst, kind) for inst in ADOPTED for kind in KINDS] + list(PARTLY),
)
def test_mapping_equals_the_facilitys(instrument, env, kind) -> None:
    mapping = get_instrument(instrument).stream_mapping(dev=env == "dev")
    theirs = {tuple(row) for row in streams()[instrument][env].get(kind, [])}
    assert entries(mapping, kind) == theirs


@pytest.mark.parametrize("instrument", ADOPTED)
def test_production_names_read_the_real_topics(instrument) -> None:
    prod = get_instrument(instrument).stream_mapping(dev=False)
    theirs = {
        row[0] for kind in KINDS for row in streams()[instrument]["prod"].get(kind, [])
    }
    assert prod.raw_topics == theirs


@pytest.mark.parametrize("instrument", ("dummy", "dream", "bifrost", "tbl"))
def test_every_facility_log_is_registered_so_none_is_dropped(instrument) -> None:
    inst = get_instrument(instrument)
    for env in ("dev", "prod"):
        for _, _, name in streams()[instrument][env].get("logs", []):
            assert name in inst.log_attributes, name


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_timeseries_sources_follow_from_the_log_table(instrument) -> None:
    """Logs, and devices (motors, stages) read from their first field."""
    facts = workflows(instrument)[f"{instrument}/timeseries_data/1"]["source_names"]
    assert list(timeseries_sources(instrument)) == facts
