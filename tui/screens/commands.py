"""Commands this console sent (and others seen answered): outcome and message."""

from __future__ import annotations

from livedata.control.snapshots import CommandRow, Snapshot

from .. import formatting as fmt
from ..messages import OpenScreen
from ..widgets.synced_table import Column
from .base import TableScreen
from .detail import RecordScreen


def answer_text(row: CommandRow) -> str:
    if row.errors:
        return "; ".join(row.errors)
    messages = [m for _, _, m in row.answers if m]
    return "; ".join(messages)


class CommandsScreen(TableScreen):
    view_name = "Commands"
    default_sort = ("seq", True)
    columns = (
        Column("seq", "#", 4, priority=3),
        Column("outcome", "OUTCOME", 8),
        Column("summary", "COMMAND", min_width=24),
        Column("answers", "ANSWERS", 8),
        Column("sent", "SENT", 7, priority=2),
        Column("message", "MESSAGE", min_width=12),
        Column("id", "MESSAGE ID", priority=4),
    )

    def rows(self, snapshot: Snapshot):
        now = self.state.now
        out = {}
        for i, c in enumerate(snapshot.commands, start=1):
            sent = fmt.age(now - c.sent_at_s) if c.sent_at_s is not None else "other"
            out[c.message_id] = (
                str(i),
                fmt.badge(c.outcome.value),
                fmt.short_ids(c.summary),
                c.progress,
                sent,
                fmt.short_ids(answer_text(c)),
                c.message_id,
            )
        return out

    def open_detail(self, key: str) -> None:
        def find(snapshot: Snapshot):
            return next((c for c in snapshot.commands if c.message_id == key), None)

        self.post_message(OpenScreen(RecordScreen(f"Command {key}", find)))
