"""A table kept in step with a keyed set of rows, re-rendering only what changed.

Textual's DataTable drops every rendered cell on any update, so one changed
cell re-renders the whole visible table at every tick; at 3 Hz on a 50-row
screen that alone costs a tenth of a core. This widget (Textual's line API)
keeps one rendered strip per row and look (cursor, zebra), drops it only when
that row's cells change, and refreshes only those lines. New, removed or
re-sorted rows re-order a list of keys. Enter on a row (or a click on the
row under the cursor) posts ``RowSelected``; a click on a heading posts
``HeaderSelected``. Cells are plain values or ``rich.text.Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .column_fit import ColumnFit, fit_widths

Cells = tuple[object, ...]
MAX_AUTO_WIDTH = 60  # columns without a width grow to their content, up to this


@dataclass(frozen=True)
class Column:
    """``width``: fixed; else the column grows to its content, up to ``max_width``.

    In a narrow terminal ``priority`` 0 (a key column: name, state, the main
    number) always shows; the others give way, highest ``priority`` first: cut
    to ``min_width`` (growing columns only), then hidden (``column_fit``)."""

    key: str
    label: str
    width: int | None = None
    max_width: int = MAX_AUTO_WIDTH
    priority: int = 0
    min_width: int = 8

    def fit(self) -> ColumnFit:
        return ColumnFit(
            self.priority,
            self.width is None,
            max(cell_len(self.label), self.min_width),
        )


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


def _signature(cells: Cells) -> tuple:
    """What decides whether a row looks different (Text equality ignores style)."""
    return tuple(
        (c.plain, c.style, c.spans) if isinstance(c, Text) else c for c in cells
    )


def _first_line(cell: object) -> Text:
    text = cell if isinstance(cell, Text) else Text(str(cell))
    return text.split("\n")[0] if "\n" in text.plain else text


class SyncedTable(ScrollView, can_focus=True):
    """``sync(rows)`` with keyed rows; filter, sort by column, a row cursor."""

    COMPONENT_CLASSES = {
        "synced-table--header",
        "synced-table--cursor",
        "synced-table--even-row",
        "synced-table--odd-row",
    }
    DEFAULT_CSS = """
    SyncedTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        & > .synced-table--header { text-style: bold; background: $panel; }
        & > .synced-table--even-row { background: $surface-lighten-1 50%; }
        & > .synced-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .synced-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:dark > .synced-table--even-row { background: $surface-darken-1 40%; }
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First row", show=False),
        Binding("end", "last", "Last row", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    class RowSelected(Message):
        def __init__(self, table: SyncedTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> SyncedTable:
            return self.table

    class HeaderSelected(Message):
        def __init__(self, table: SyncedTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> SyncedTable:
            return self.table

    def __init__(self, columns: Sequence[Column], **kwargs) -> None:
        super().__init__(**kwargs)
        self.column_specs = tuple(columns)
        # natural widths (content, up to the limits) and the widths drawn in
        # the width the table has (0: hidden)
        self._natural = [c.width or cell_len(c.label) for c in self.column_specs]
        self._widths = list(self._natural)
        self._fits = [c.fit() for c in self.column_specs]
        self._cells: dict[str, Cells] = {}  # the rows shown (filter applied)
        self._looks: dict[str, tuple] = {}
        self._order: list[str] = []
        self._index: dict[str, int] = {}
        self._strips: dict[tuple[str, str], Strip] = {}
        self._header: Strip | None = None
        self.cursor_row = 0
        self.filter_text = ""
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.updates = 0  # cells written since mount: lets tests see diffing work

    # -- reading -------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._order)

    def shown_keys(self) -> list[str]:
        return list(self._order)

    def get_row(self, key: str) -> list[object]:
        return list(self._cells[key])

    def get_cell(self, key: str, column: str) -> object:
        return self._cells[key][self._column_index(column)]

    def shown_columns(self) -> list[str]:
        """Keys of the columns drawn at the present width (narrow ones hide some)."""
        return [
            c.key for c, w in zip(self.column_specs, self._widths, strict=True) if w
        ]

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    def selected_key(self) -> str | None:
        return self._order[self.cursor_row] if self._order else None

    def matches(self, cells: Cells) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(needle in plain(c).lower() for c in cells)

    # -- writing -------------------------------------------------------------
    def sync(self, rows: Mapping[str, Cells]) -> None:
        """Show ``rows`` (those matching the filter); re-render changed rows only."""
        wanted = {k: v for k, v in rows.items() if self.matches(v)}
        selected = self.selected_key()
        gone = [k for k in self._cells if k not in wanted]
        for key in gone:
            del self._cells[key], self._looks[key]
            self._forget(key)
        added, changed, resort = [], [], False
        sort_index = self._sort_index()
        widened = False
        for key, cells in wanted.items():
            look = _signature(cells)
            old = self._looks.get(key)
            if old == look:
                continue
            if old is None:
                added.append(key)
                self.updates += len(cells)
            else:
                self.updates += sum(a != b for a, b in zip(old, look, strict=True))
                resort |= sort_index is not None and old[sort_index] != look[sort_index]
                changed.append(key)
                self._forget(key)
            self._cells[key], self._looks[key] = cells, look
            widened |= self._grow(cells)
        if gone:
            dropped = set(gone)
            self._order = [k for k in self._order if k not in dropped]
        self._order.extend(added)
        if (added or resort) and self.sort_column is not None:
            self._sort()
        if gone or added or resort or widened:
            self._relayout(selected, widened)
        else:
            for key in changed:
                self.refresh_line(self._index[key] + 1)

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
        self._resort()
        return self.sort_column or "none"

    def toggle_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resort()

    def sort_by(self, column: str) -> None:
        if self.sort_column == column:
            self.sort_reverse = not self.sort_reverse
        self.sort_column = column
        self._resort()

    def move_cursor(self, *, row: int) -> None:
        if not self._order:
            return
        old, self.cursor_row = self.cursor_row, max(0, min(row, len(self._order) - 1))
        self.refresh_line(old + 1)
        self.refresh_line(self.cursor_row + 1)
        self._scroll_to_cursor()

    # -- actions and events --------------------------------------------------
    def action_cursor(self, step: int) -> None:
        self.move_cursor(row=self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(row=self.cursor_row + step * max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._order) - 1)

    def action_select(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x, y = offset.x + self.scroll_offset.x, offset.y
        if y == 0:
            column = self._column_at(x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column))
            return
        row = self.scroll_offset.y + y - 1
        if row >= len(self._order):
            return
        if row == self.cursor_row:
            self.action_select()
        else:
            self.move_cursor(row=row)

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._header = None

    # -- rendering -------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            if self._header is None:
                self._header = self._render_row(
                    [c.label for c in self.column_specs], "header"
                )
            strip = self._header
            look = "header"
        else:
            row = scroll_y + y - 1
            if row >= len(self._order):
                return Strip.blank(width, self.rich_style)
            key = self._order[row]
            look = (
                "cursor"
                if row == self.cursor_row
                else ("even-row" if row % 2 else "odd-row")
            )
            strip = self._strips.get((key, look))
            if strip is None:
                strip = self._render_row(self._cells[key], look)
                self._strips[(key, look)] = strip
        style = self.get_component_rich_style(f"synced-table--{look}")
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _render_row(self, cells: Sequence[object], look: str) -> Strip:
        console = self.app.console
        style = self.get_component_rich_style(f"synced-table--{look}")
        segments: list[Segment] = []
        for cell, width in zip(cells, self._widths, strict=True):
            if not width:
                continue
            text = _first_line(cell).copy()
            text.truncate(width, overflow="ellipsis", pad=True)
            segments.append(Segment(" "))
            segments.extend(text.render(console))
            segments.append(Segment(" "))
        return Strip(Segment.apply_style(segments, style))

    # -- internals -------------------------------------------------------------
    def _column_index(self, column: str) -> int:
        for i, spec in enumerate(self.column_specs):
            if spec.key == column:
                return i
        raise KeyError(column)

    def _column_at(self, x: int) -> str | None:
        left = 0
        for spec, width in zip(self.column_specs, self._widths, strict=True):
            if not width:
                continue
            if left <= x < left + width + 2:
                return spec.key
            left += width + 2
        return None

    def _sort_index(self) -> int | None:
        if self.sort_column is None:
            return None
        try:
            return self._column_index(self.sort_column)
        except KeyError:
            return None

    def _grow(self, cells: Cells) -> bool:
        """Widen auto-width columns to fit ``cells``; True when any grew."""
        grew = False
        for i, (spec, cell) in enumerate(zip(self.column_specs, cells, strict=True)):
            if spec.width is None:
                need = min(spec.max_width, cell_len(_first_line(cell).plain))
                if need > self._natural[i]:
                    self._natural[i] = need
                    grew = True
        return grew

    def _forget(self, key: str) -> None:
        for look in ("cursor", "even-row", "odd-row"):
            self._strips.pop((key, look), None)

    def _sort(self) -> None:
        index = self._sort_index()
        if index is not None:
            self._order.sort(
                key=lambda k: sort_key(self._cells[k][index]), reverse=self.sort_reverse
            )

    def _resort(self) -> None:
        selected = self.selected_key()
        if self.sort_column is not None:
            self._sort()
        self._relayout(selected, widened=False)

    def _relayout(self, selected: str | None, widened: bool) -> None:
        """After rows moved: re-index, keep the cursor on its row, repaint."""
        self._index = {k: i for i, k in enumerate(self._order)}
        if widened:
            self._fit()
        if selected in self._index:
            self.cursor_row = self._index[selected]
        else:
            self.cursor_row = max(0, min(self.cursor_row, len(self._order) - 1))
        width = sum(w + 2 for w in self._widths if w)
        self.virtual_size = Size(width, len(self._order) + 1)
        self._scroll_to_cursor()
        self.refresh()

    def on_resize(self, _: events.Resize) -> None:
        self._fit()
        self._relayout(self.selected_key(), widened=False)

    def _fit(self) -> None:
        """Choose the drawn widths for the width there is; redraw if they moved."""
        available = self.scrollable_content_region.width or self.size.width
        widths = (
            fit_widths(self._fits, self._natural, available)
            if available > 0
            else list(self._natural)
        )
        if widths != self._widths or self._header is None:
            self._widths = widths
            self._strips.clear()
            self._header = None

    def _restyle(self) -> None:
        """Focus changes the cursor's look: drop every strip drawn with it."""
        for key in self._order:
            self._strips.pop((key, "cursor"), None)
        if self._order:
            self.refresh_line(self.cursor_row + 1)

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(
                y=self.cursor_row - visible + 1, animate=False, immediate=True
            )
