"""Consumer lag per topic partition, measured at the broker: offsets, time, the
peak since the console started, what overload dropped, a trend; unknown is ``-``."""

from __future__ import annotations

from livedata.control.snapshots import Snapshot

from .. import formatting as fmt
from ..messages import OpenScreen
from ..widgets.synced_table import Column
from .base import TableScreen
from .detail import RecordScreen


def time_lag(seconds: float | None) -> str:
    return fmt.UNKNOWN if seconds is None else f"{seconds:.1f}s"


class LagScreen(TableScreen):
    view_name = "Lag"
    columns = (
        Column("group", "GROUP", min_width=14),
        Column("topic", "TOPIC", min_width=14),
        Column("partition", "PART", 5, priority=4),
        Column("offsets", "OFFSET LAG", 10),
        Column("time", "TIME LAG", 9),
        Column("peak", "PEAK", 8, priority=2),
        Column("dropped", "DROPPED", 8, priority=1),
        Column("trend", "TREND", 18, priority=3),
    )

    def rows(self, snapshot: Snapshot):
        return {
            f"{r.group}|{r.topic}|{r.partition}": (
                fmt.short_ids(r.group),  # a worker uuid: its first 8 digits
                r.topic,
                str(r.partition),
                fmt.number(r.offset_lag),
                time_lag(r.time_lag_s),
                fmt.number(r.peak_lag),
                fmt.number(r.dropped),
                fmt.sparkline(r.trend),
            )
            for r in snapshot.lag
        }

    def open_detail(self, key: str) -> None:
        def find(snapshot: Snapshot):
            return next(
                (
                    r
                    for r in snapshot.lag
                    if f"{r.group}|{r.topic}|{r.partition}" == key
                ),
                None,
            )

        group, topic, partition = key.split("|")
        title = f"Lag {topic}/{partition} of {group}"
        self.post_message(OpenScreen(RecordScreen(title, find)))
