"""The console's table: keyed rows, a cursor that stays on its row, and only
changed rows rendered again."""

from __future__ import annotations

from rich.text import Text
from textual.app import App

from livedata_tui.widgets.synced_table import Column, SyncedTable

from .helpers import pilot_test

COLUMNS = (Column("name", "NAME"), Column("n", "N", 4))


class TableApp(App):
    def __init__(self, columns: tuple[Column, ...] = COLUMNS) -> None:
        super().__init__()
        self.columns = columns
        self.selected: list[str] = []
        self.headers: list[str] = []

    def compose(self):
        yield SyncedTable(self.columns, id="t")

    def on_synced_table_row_selected(self, event: SyncedTable.RowSelected) -> None:
        self.selected.append(event.key)

    def on_synced_table_header_selected(
        self, event: SyncedTable.HeaderSelected
    ) -> None:
        self.headers.append(event.column)


def rows(**values: int) -> dict[str, tuple]:
    return {k: (k, str(v)) for k, v in values.items()}


@pilot_test
async def test_the_cursor_stays_on_its_row_when_rows_move():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(SyncedTable)
        table.focus()
        table.sync(rows(b=2, c=3, d=4))
        table.move_cursor(row=1)
        assert table.selected_key() == "c"
        table.sort_by("name")
        table.toggle_reverse()
        assert table.shown_keys() == ["d", "c", "b"]
        assert table.selected_key() == "c"
        table.sync(rows(a=1, b=2, c=3, d=4))  # a new row sorts in before it
        assert table.shown_keys() == ["d", "c", "b", "a"]
        assert table.selected_key() == "c"
        table.sync(rows(a=1, b=2, d=4))  # its row goes: the cursor stays put
        assert table.selected_key() == "b"
        await pilot.press("enter")
        await pilot.press("down", "enter")
        assert app.selected == ["b", "a"]
        await pilot.click(SyncedTable, offset=(2, 0))  # the NAME heading
        assert app.headers == ["name"]


@pilot_test
async def test_only_changed_rows_are_rendered_again():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(SyncedTable)
        table.sync(rows(a=1, b=2, c=3))
        await pilot.pause()
        rendered = dict(table._strips)
        assert {key for key, _look in rendered} == {"a", "b", "c"}
        before = table.updates
        table.sync(rows(a=1, b=5, c=3))
        await pilot.pause()
        assert table.updates - before == 1
        again = dict(table._strips)
        for key in ("a", "c"):  # the very same rendered lines
            assert all(again[k] is rendered[k] for k in rendered if k[0] == key)
        assert all(again[k] is not rendered[k] for k in rendered if k[0] == "b")


@pilot_test
async def test_a_new_style_is_a_change_and_cells_are_never_markup():
    app = TableApp()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(SyncedTable)
        table.sync({"a": ("[b]1[/b]", Text("OK", style="green"))})
        await pilot.pause()
        before = table.updates
        table.sync({"a": ("[b]1[/b]", Text("OK", style="red"))})
        assert table.updates - before == 1
        await pilot.pause()
        line = "".join(s.text for s in table.render_line(1))
        assert "[b]1[/b]" in line  # shown as typed, not as bold markup


@pilot_test
async def test_an_auto_width_column_grows_to_its_content_up_to_its_cap():
    app = TableApp((Column("name", "NAME", max_width=8), COLUMNS[1]))
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(SyncedTable)
        table.sync(rows(abcdef=1))
        assert table.virtual_size.width == (6 + 2) + (4 + 2)  # grew to "abcdef"
        table.sync(rows(abcdef=1, abcdefghijkl=2))
        assert table.virtual_size.width == (8 + 2) + (4 + 2)  # stopped at the cap
        await pilot.pause()
        row = table.get_row_index("abcdefghijkl") + 1
        line = "".join(s.text for s in table.render_line(row))
        assert line.startswith(" abcdefg… ")  # the rest on the drill-down
