"""Drill-down: every field of one snapshot record, kept live while open.

Times are shown as an operator reads them: wall-clock ns as a UTC time and an
age, the client's monotonic instants (when last heard, sent, updated) as the
UTC time they stand for and an age, durations as ages; never raw numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from livedata.control.snapshots import Snapshot

from .. import formatting as fmt
from ..widgets.synced_table import Column, SyncedTable
from .base import LiveScreen

Finder = Callable[[Snapshot], object | None]
Extra = Callable[[Snapshot, object], list[tuple[str, object]]]


# Fields holding the client's monotonic clock, and durations in seconds.
MONOTONIC_FIELDS = frozenset({"last_seen_s", "sent_at_s", "updated_s", "at_s"})
DURATION_FIELDS = frozenset({"age_s"})


def record_fields(
    record: object, now: float = 0.0, wall_ns: int = 0
) -> list[tuple[str, object]]:
    """(name, cell) for each dataclass field; states get their badge colour,
    times are read against the console's clocks ``now`` (monotonic) and
    ``wall_ns``."""
    out: list[tuple[str, object]] = []
    for field in dataclasses.fields(record):  # type: ignore[arg-type]
        value = getattr(record, field.name)
        name = field.name
        if name in ("health", "outcome", "state", "level"):
            cell: object = fmt.badge(str(getattr(value, "value", value)))
        elif value is not None and name.endswith("_ns"):
            cell = fmt.when(value, wall_ns)
        elif value is not None and name in MONOTONIC_FIELDS:
            cell = fmt.when(wall_ns - round((now - value) * 1e9), wall_ns)
        elif value is not None and name in DURATION_FIELDS:
            cell = fmt.age(value)
        elif value is None:
            cell = fmt.UNKNOWN
        elif isinstance(value, dict):
            cell = ", ".join(f"{k}={v}" for k, v in value.items()) or fmt.UNKNOWN
        elif isinstance(value, tuple) and value and isinstance(value[0], float):
            cell = fmt.sparkline(value, 40)
        elif isinstance(value, tuple):
            cell = "\n".join(map(str, value)) or fmt.UNKNOWN
        else:
            cell = str(value)
        out.append((field.name, cell))
    return out


class RecordScreen(LiveScreen):
    """Fields of the record ``find`` returns from each snapshot; Esc goes back."""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, title: str, find: Finder, extra: Extra | None = None) -> None:
        super().__init__()
        self.view_name = title
        self._find = find
        self._extra = extra

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield SyncedTable((Column("field", "FIELD", 18), Column("value", "VALUE")))
        yield from self.compose_footer()

    def show(self, snapshot: Snapshot) -> None:
        table = self.query_one(SyncedTable)
        record = self._find(snapshot)
        if record is None:
            table.sync({"gone": ("", Text("no longer in the snapshot", "dim"))})
            return
        rows = record_fields(record, self.state.now, self.state.wall_ns)
        if self._extra is not None:
            rows += self._extra(snapshot, record)
        table.sync({name: (name, cell) for name, cell in rows})
