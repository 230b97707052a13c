"""Rendering LagRow: unknown lag is '-' / null, never 0."""

from __future__ import annotations

from livedata.cli.lag import lag_cells, lag_json, sparkline
from livedata.cli.output import plain_table
from livedata.control.snapshots import LagRow


def test_unknown_lag_renders_as_dash_and_null() -> None:
    rows = [
        LagRow("dummy:detector_data:w1", "dummy_detector", 0, None, None),
        LagRow("dummy:detector_data:w1", "dummy_motion", 0, 0, 0.0, (3.0, 0.0)),
    ]
    text = plain_table(("G", "T", "P", "LAG", "TIME", "TREND"), map(lag_cells, rows))
    unknown, zero = text.splitlines()[1:]
    assert unknown.split()[3:] == ["-", "-", "-"]
    assert zero.split()[3:5] == ["0", "0"]
    document = lag_json(rows)
    assert document["rows"][0]["offset_lag"] is None
    assert document["rows"][1]["offset_lag"] == 0


def test_sparkline_scales_to_its_maximum() -> None:
    assert sparkline([]) == "-"
    assert sparkline([0.0, 0.0]) == "▁▁"
    assert sparkline([0.0, 5.0, 10.0]) == "▁▄█"
