"""A DataTable kept in step with a keyed set of rows by touching only what changed.

Clearing and rebuilding a table on every tick makes the cursor jump and costs
time proportional to the whole table; this widget diffs the new rows against
the cells it already shows and issues ``add_row``/``remove_row``/``update_cell``
for the difference, then re-sorts only when the order can have changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

Cells = tuple[object, ...]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None


def plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def sort_key(cell: object) -> tuple[int, float, str]:
    """Numbers (with k/M/s suffixes stripped) before text; ``-`` (unknown) last."""
    text = plain(cell).strip()
    if text in ("", "-"):
        return (2, 0.0, "")
    scale = {"k": 1e3, "M": 1e6, "G": 1e9}.get(text[-1], 1.0)
    digits = text[:-1] if scale != 1.0 or text.endswith("s") else text
    try:
        return (0, float(digits) * scale, "")
    except ValueError:
        return (1, 0.0, text.lower())


class SyncedTable(DataTable):
    """DataTable with ``sync(rows)``: keyed rows, filter and sort by column."""

    def __init__(self, columns: Sequence[Column], **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.column_specs = tuple(columns)
        self._shown: dict[str, Cells] = {}
        self.filter_text = ""
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.updates = 0  # cells written since mount: lets tests see diffing work

    def on_mount(self) -> None:
        for col in self.column_specs:
            self.add_column(col.label, key=col.key, width=col.width)

    def matches(self, cells: Cells) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(needle in plain(c).lower() for c in cells)

    def sync(self, rows: Mapping[str, Cells]) -> None:
        wanted = {k: v for k, v in rows.items() if self.matches(v)}
        reorder = False
        for key in [k for k in self._shown if k not in wanted]:
            self.remove_row(key)
            del self._shown[key]
        sort_index = self._sort_index()
        for key, cells in wanted.items():
            old = self._shown.get(key)
            if old is None:
                self.add_row(*cells, key=key)
                self.updates += len(cells)
                reorder = True
            elif old != cells:
                for i, (a, b) in enumerate(zip(old, cells, strict=True)):
                    if a != b:
                        self.update_cell(key, self.column_specs[i].key, b)
                        self.updates += 1
                        reorder = reorder or i == sort_index
            self._shown[key] = cells
        if reorder and self.sort_column is not None:
            self._apply_sort()

    def set_filter(self, text: str, rows: Mapping[str, Cells]) -> None:
        self.filter_text = text.strip()
        self.sync(rows)

    def cycle_sort(self) -> str:
        """Sort by the next column (none -> first -> ... -> last -> none)."""
        keys = [c.key for c in self.column_specs]
        if self.sort_column is None:
            self.sort_column = keys[0]
        else:
            i = keys.index(self.sort_column) + 1
            self.sort_column = keys[i] if i < len(keys) else None
        self._apply_sort()
        return self.sort_column or "none"

    def toggle_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._apply_sort()

    def sort_by(self, column: str) -> None:
        if self.sort_column == column:
            self.sort_reverse = not self.sort_reverse
        self.sort_column = column
        self._apply_sort()

    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def shown_keys(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows]

    def _sort_index(self) -> int | None:
        for i, col in enumerate(self.column_specs):
            if col.key == self.sort_column:
                return i
        return None

    def _apply_sort(self) -> None:
        if self.sort_column is not None and self.row_count:
            self.sort(self.sort_column, key=sort_key, reverse=self.sort_reverse)
