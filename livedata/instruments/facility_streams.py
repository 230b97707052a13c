"""The facility's stream tables (``<instrument>/facility_streams.tsv``) as mappings.

Each instrument ships the table of topics, source names and internal stream
names its deployed live-data system reads (DEV and PROD), so a livedata service
started with the production names reads the real topics (A8, issue 12).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

from ..kafka.stream_mapping import InputStreamKey, StreamMapping

KINDS = ("detectors", "area_detectors", "monitors", "logs")


def facility_rows(instrument: str) -> list[tuple[str, str, str, str, str]]:
    """``(environment, kind, topic, source name, internal name)`` rows."""
    package = f"{__package__}.{instrument}"
    text = resources.files(package).joinpath("facility_streams.tsv").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            env, kind, topic, source, name = line.split("\t")
            rows.append((env, kind, topic, source, name))
    return rows


def facility_mapping(
    instrument: str, env: str, merged: Mapping[str, str] | None = None
) -> StreamMapping:
    """The facility's ``env`` (``dev``/``prod``) mapping of ``instrument``.

    ``merged`` maps detector streams to the one stream they are read as, as
    the facility merges BIFROST's 45 triplets into ``unified_detector`` (F2).
    """
    tables: dict[str, dict[InputStreamKey, str]] = {kind: {} for kind in KINDS}
    for row_env, kind, topic, source, name in facility_rows(instrument):
        if row_env == env:
            tables[kind][InputStreamKey(topic, source)] = name
    return StreamMapping(
        instrument=instrument, merged_detectors=dict(merged or {}), **tables
    )


# A device publishes several logs; its timeseries reads the first of these.
DEVICE_FIELDS = (
    ("value", "target_value", "idle_flag"),  # a motor
    ("position_readback", "position_setpoint"),  # a stage
)


def log_names(instrument: str) -> tuple[str, ...]:
    """Every log stream of ``instrument`` in DEV or PROD, sorted."""
    rows = facility_rows(instrument)
    return tuple(sorted({name for _, kind, _, _, name in rows if kind == "logs"}))


def timeseries_sources(instrument: str) -> dict[str, str]:
    """Timeseries source -> the log stream it reads, sorted by source.

    A log is its own source; a device whose logs carry all of a field set
    (``X/value``, ``X/target_value``, ``X/idle_flag``) is one source ``X`` that
    reads its first field: the facility's ``timeseries_data`` sources.
    """
    names = set(log_names(instrument))
    fields: dict[str, set[str]] = {}
    for name in names:
        head, _, tail = name.rpartition("/")
        if head:
            fields.setdefault(head, set()).add(tail)
    out: dict[str, str] = {}
    for name in names:
        head, _, tail = name.rpartition("/")
        for field_set in DEVICE_FIELDS:
            if head and tail in field_set and fields[head] >= set(field_set):
                out[head] = f"{head}/{field_set[0]}"
                break
        else:
            out[name] = name
    return dict(sorted(out.items()))
