"""The control plane's notifications, newest first, coloured by level."""

from __future__ import annotations

from livedata.control.snapshots import Snapshot

from .. import formatting as fmt
from ..messages import OpenScreen
from ..widgets.synced_table import Column
from .base import TableScreen
from .detail import RecordScreen


class NotificationsScreen(TableScreen):
    view_name = "Notifications"
    default_sort = ("seq", True)
    columns = (
        Column("seq", "#", 5, priority=1),
        Column("age", "AGO", 8),
        Column("level", "LEVEL", 8),
        Column("text", "TEXT"),
    )

    def rows(self, snapshot: Snapshot):
        now = self.state.now
        return {
            str(i): (
                str(i),
                fmt.age(now - n.at_s),
                fmt.badge(n.level),
                fmt.short_ids(n.text),
            )
            for i, n in enumerate(snapshot.notifications, start=1)
        }

    def open_detail(self, key: str) -> None:
        index = int(key) - 1

        def find(snapshot: Snapshot):
            notes = snapshot.notifications
            return notes[index] if 0 <= index < len(notes) else None

        self.post_message(OpenScreen(RecordScreen(f"Notification {key}", find)))
