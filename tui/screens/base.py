"""What every console view shares: header, filter line, table, command line, footer.

A ``LiveScreen`` is handed each new snapshot by the app's render tick (only the
visible screen is), and the latest one again when it becomes visible.
``TableScreen`` turns a snapshot into keyed rows and lets ``SyncedTable`` apply
the difference; subclasses only say which rows and which detail to open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input

from livedata.control.snapshots import Snapshot

from ..messages import NO_STATE, CloseCommandLine, ConsoleState, GoBack, RenderNow
from ..widgets.command_input import CommandLine
from ..widgets.status_header import HeaderState, StatusHeader
from ..widgets.synced_table import Cells, Column, SyncedTable


class LiveScreen(Screen):
    """A screen that renders snapshots; ``view_name`` shows in the header.

    It asks the app for things only by posting ``tui.messages`` requests, and
    reads what it shows from ``state``, which the app sets at every render.
    """

    view_name: ClassVar[str] = ""
    state: ConsoleState = NO_STATE

    # Actions a read-only console hides (not only refuses): neither the footer
    # nor the help lists them.
    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()

    def render_state(self, state: ConsoleState) -> None:
        """Called by the app with the state to show (only while visible)."""
        readonly_changed = state.readonly != self.state.readonly
        self.state = state
        if readonly_changed and self.WRITE_ACTIONS:
            self.refresh_bindings()
        self.show(state.snapshot)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        return not (self.state.readonly and action in self.WRITE_ACTIONS)

    def action_back(self) -> None:
        self.post_message(GoBack())

    def compose_header(self) -> ComposeResult:
        yield StatusHeader()

    def compose_footer(self) -> ComposeResult:
        yield CommandLine(placeholder=":command  (Tab completes)", id="command-line")
        yield Footer()

    def show(self, snapshot: Snapshot) -> None:
        """Render ``snapshot``; called only while this screen is visible."""

    def show_header(self, state: HeaderState) -> None:
        for header in self.query(StatusHeader):
            header.show(state)

    def on_screen_resume(self) -> None:
        # What it was last told, at once (a pushed screen is told on the way in),
        # then whatever is newer.
        if self.state is not NO_STATE:
            self.render_state(self.state)
        self.post_message(RenderNow())


class TableScreen(LiveScreen):
    """A filterable, sortable table of snapshot rows with drill-down on Enter."""

    columns: ClassVar[tuple[Column, ...]] = ()
    default_sort: ClassVar[tuple[str, bool] | None] = None  # (column, reverse)
    BINDINGS = [
        Binding("slash", "start_filter", "Filter", id="filter"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="sort.reverse"),
        Binding("escape", "escape", "Back", show=False, id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: Mapping[str, Cells] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Input(placeholder="/filter", id="filter")
        yield SyncedTable(self.columns, id="table")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        if self.default_sort is not None:
            self.table.sort_column, self.table.sort_reverse = self.default_sort
        self.table.focus()

    @property
    def table(self) -> SyncedTable:
        return self.query_one("#table", SyncedTable)

    def rows(self, snapshot: Snapshot) -> Mapping[str, Cells]:
        raise NotImplementedError

    def open_detail(self, key: str) -> None:
        """Enter on a row; screens that have a detail view override this."""

    def show(self, snapshot: Snapshot) -> None:
        self._rows = self.rows(snapshot)
        self.table.sync(self._rows)
        self.table.border_subtitle = self._count_text()

    def _count_text(self) -> str:
        shown, total = self.table.row_count, len(self._rows)
        text = f"{shown} of {total}" if shown != total else f"{total}"
        if self.table.filter_text:
            text += f"  filter: {self.table.filter_text}"
        if self.table.sort_column:
            arrow = "▼" if self.table.sort_reverse else "▲"
            text += f"  sort: {self.table.sort_column} {arrow}"
        return text

    def set_filter(self, text: str) -> None:
        field = self.query_one("#filter", Input)
        field.value = text
        field.set_class(bool(text), "-active")
        self.table.set_filter(text, self._rows)
        self.table.border_subtitle = self._count_text()

    # -- actions and events --------------------------------------------------
    def action_start_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("-active")
        field.focus()

    def action_cycle_sort(self) -> None:
        self.table.cycle_sort()
        self.table.border_subtitle = self._count_text()

    def action_reverse_sort(self) -> None:
        self.table.toggle_reverse()
        self.table.border_subtitle = self._count_text()

    def action_escape(self) -> None:
        focused = self.focused
        if focused is not None and focused.id == "command-line":
            self.post_message(CloseCommandLine())
            return
        if focused is not None and focused.id == "filter":
            self.table.focus()
        if self.table.filter_text:
            self.set_filter("")
        elif focused is None or focused.id != "filter":
            self.post_message(GoBack())

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.table.set_filter(event.value, self._rows)
            self.table.border_subtitle = self._count_text()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.stop()
            event.input.set_class(bool(event.value), "-active")
            self.table.focus()

    def on_synced_table_row_selected(self, event: SyncedTable.RowSelected) -> None:
        event.stop()
        self.open_detail(event.key)

    def on_synced_table_header_selected(
        self, event: SyncedTable.HeaderSelected
    ) -> None:
        event.stop()
        self.table.sort_by(event.column)
        self.table.border_subtitle = self._count_text()
