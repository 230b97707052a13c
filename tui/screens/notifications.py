"""The control plane's notifications, newest first, coloured by level."""

from __future__ import annotations

from livedata.control.snapshots import Snapshot

from .. import formatting as fmt
from ..widgets.synced_table import Column
from .base import TableScreen


class NotificationsScreen(TableScreen):
    view_name = "Notifications"
    default_sort = ("seq", True)
    columns = (
        Column("seq", "#", 5),
        Column("age", "AGO", 8),
        Column("level", "LEVEL", 8),
        Column("text", "TEXT"),
    )

    def rows(self, snapshot: Snapshot):
        now = self.console.clock()
        return {
            str(i): (str(i), fmt.age(now - n.at_s), fmt.badge(n.level), n.text)
            for i, n in enumerate(snapshot.notifications, start=1)
        }
