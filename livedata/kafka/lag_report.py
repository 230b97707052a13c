"""How a service reports its consumer lag in heartbeats' ``stream_stats``.

The Kafka layer measures the lag (``BackgroundMessageSource``) and the control
plane reads it (``livedata.control.lag.LagProbe.observe``); both use these names,
so the format lives here, next to the measuring, with no dependencies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LAG_STATS_KEY = "consumer_lag"
TIME_LAG_STATS_KEY = "consumer_time_lag_s"
# The consumer group whose committed offsets the broker holds for a service.
CONSUMER_GROUP_KEY = "consumer_group"

Partition = tuple[str, int]


def partition_label(topic: str, partition: int) -> str:
    """How a partition is named in ``stream_stats`` (topic names have no ``/``)."""
    return f"{topic}/{partition}"


def lag_stats(
    offset_lags: Mapping[Partition, int | None],
    time_lags_s: Mapping[Partition, float | None] | None = None,
) -> dict[str, Any]:
    """The ``stream_stats`` entries a service publishes: ``{"consumer_lag":
    {"<topic>/<partition>": n|null}, "consumer_time_lag_s": {...: s|null}}``."""
    stats: dict[str, Any] = {
        LAG_STATS_KEY: {partition_label(*p): lag for p, lag in offset_lags.items()}
    }
    if time_lags_s is not None:
        stats[TIME_LAG_STATS_KEY] = {
            partition_label(*p): lag for p, lag in time_lags_s.items()
        }
    return stats
