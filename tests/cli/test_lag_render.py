"""Rendering LagRow: unknown lag is '-' / null, never 0."""

from __future__ import annotations

import pytest

from livedata.cli.lag import (
    COLUMNS,
    lag_cells,
    lag_json,
    over_limit,
    parse_max_lag,
    sparkline,
)
from livedata.cli.output import plain_table
from livedata.control.snapshots import LagRow


def test_unknown_lag_renders_as_dash_and_null() -> None:
    rows = [
        LagRow("dummy:detector_data:w1", "dummy_detector", 0, None, None),
        LagRow(
            "dummy:detector_data:w1", "dummy_motion", 0, 0, 0.0, (3.0, 0.0),
            end_offset=12, committed=12, peak_lag=3, dropped=0,
        ),
    ]  # fmt: skip
    text = plain_table(COLUMNS, map(lag_cells, rows))
    unknown, zero = text.splitlines()[1:]
    assert unknown.split()[0] == "detector_data:w1"
    assert unknown.split()[3:] == ["-"] * 7
    assert zero.split()[3:9] == ["12", "12", "0", "0", "3", "0"]
    document = lag_json(rows)
    assert document["rows"][0]["offset_lag"] is None
    assert document["rows"][1]["offset_lag"] == 0


def test_sparkline_scales_to_its_maximum() -> None:
    assert sparkline([]) == "-"
    assert sparkline([0.0, 0.0]) == "▁▁"
    assert sparkline([0.0, 5.0, 10.0]) == "▁▄█"


def test_max_lag_in_messages_or_seconds() -> None:
    assert parse_max_lag("1000") == (1000, None)
    assert parse_max_lag("2.5s") == (None, 2.5)
    for bad in ("-1", "x", "5m", ""):
        with pytest.raises(ValueError, match="expected N"):
            parse_max_lag(bad)
    rows = [
        LagRow("a", "t", 0, 10, 1.0),
        LagRow("b", "t", 0, None, None),
        LagRow("c", "t", 0, 2, 40.0),
    ]
    assert [r.group for r in over_limit(rows, 5, None)] == ["a"]
    assert [r.group for r in over_limit(rows, None, 30.0)] == ["c"]
    assert over_limit(rows, 100, 100.0) == []
