"""Services: one row per worker, with a health badge and its heartbeat figures."""

from __future__ import annotations

from livedata.control.snapshots import Snapshot

from .. import formatting as fmt
from ..messages import OpenScreen
from ..widgets.synced_table import Column
from .base import TableScreen
from .detail import RecordScreen


class ServicesScreen(TableScreen):
    view_name = "Services"
    columns = (
        Column("health", "STATE", 8),
        Column("instrument", "INSTRUMENT", priority=5),
        Column("service", "SERVICE", min_width=14),
        Column("worker", "WORKER", priority=3),
        Column("uptime", "UPTIME", 8, priority=4),
        Column("jobs", "JOBS", 5, priority=1),
        Column("rate", "MSG/S", 7),
        Column("lag", "LAG", 7),
        Column("age", "HEARTBEAT", 9, priority=2),
    )

    def rows(self, snapshot: Snapshot):
        now_ns = self.state.wall_ns
        return {
            s.service_id: (
                fmt.badge(s.health.value),
                s.instrument,
                s.service_name,
                fmt.short_ids(s.worker_id),
                fmt.uptime(s.started_at_ns, now_ns),
                str(s.job_count),
                fmt.number(s.messages_per_s),
                fmt.number(s.consumer_lag),
                fmt.age(s.age_s),
            )
            for s in snapshot.services
        }

    def open_detail(self, key: str) -> None:
        def find(snapshot: Snapshot):
            return next((s for s in snapshot.services if s.service_id == key), None)

        self.post_message(OpenScreen(RecordScreen(f"Service {key}", find)))
