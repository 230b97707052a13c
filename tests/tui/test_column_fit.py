"""Choosing column widths for the terminal's width (pure)."""

from __future__ import annotations

from livedata_tui.widgets.column_fit import ColumnFit, fit_widths

KEY = ColumnFit(priority=0, flexible=False, min_width=5)
NAME = ColumnFit(priority=0, flexible=True, min_width=8)
NOTE = ColumnFit(priority=1, flexible=True, min_width=10)
EXTRA = ColumnFit(priority=2, flexible=False, min_width=6)
COLUMNS = (KEY, NAME, NOTE, EXTRA)
NATURAL = [5, 20, 30, 6]  # 69 cells with the gaps


def test_everything_natural_when_it_fits():
    assert fit_widths(COLUMNS, NATURAL, 69) == NATURAL
    assert fit_widths(COLUMNS, NATURAL, 200) == NATURAL


def test_the_least_important_gives_way_first_then_the_next_is_cut():
    # EXTRA hidden (it cannot be cut), then NOTE cut by what is still missing
    assert fit_widths(COLUMNS, NATURAL, 60) == [5, 20, 29, 0]
    # NOTE down to its minimum would not do: hidden too, NAME keeps its width
    assert fit_widths(COLUMNS, NATURAL, 40) == [5, 20, 0, 0]


def test_key_columns_are_only_cut_and_never_below_their_minimum():
    assert fit_widths(COLUMNS, NATURAL, 20) == [5, 11, 0, 0]  # exactly 20 cells
    assert fit_widths(COLUMNS, NATURAL, 10) == [5, 8, 0, 0]  # too narrow: scrolls
