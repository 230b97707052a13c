"""Formatting, command-line parsing and the table's sort key, without an app."""

from __future__ import annotations

from livedata_tui import command_line as cl
from livedata_tui import formatting as fmt
from livedata_tui.widgets.synced_table import sort_key


def test_age_number_and_unknowns():
    assert [fmt.age(s) for s in (None, 4.7, 185, 7800, 200_000)] == [
        "-",
        "4s",
        "3m05s",
        "2h10m",
        "2d07h",
    ]
    assert [fmt.number(v) for v in (None, 0, 12.34, 4500, 1.2e6)] == [
        "-",
        "0",
        "12.3",
        "4.5k",
        "1.2M",
    ]
    assert fmt.uptime(0, 10**18) == "-"


def test_sparkline_scales_and_skips_non_finite():
    assert fmt.sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert fmt.sparkline([5, float("nan"), 5]) == "▅▅"
    assert fmt.sparkline([]) == ""


def test_sparkline_draws_variations_below_one_percent_flat():
    assert fmt.sparkline([100466, 100497, 100466]) == "▅▅▅"
    assert fmt.sparkline([100_000, 90_000, 100_000]) == "█▁█"
    assert fmt.sparkline([-0.5, 0.5]) == "▁█"
    assert fmt.resample([1, 3, 5, 7], 2) == [2, 6]


def test_parse_commands():
    assert cl.parse(":jobs dream") == cl.Command("view", "jobs", "dream")
    assert cl.parse("wf") == cl.Command("view", "workflows", "")
    assert cl.parse("start dream/powder") == cl.Command("start", "dream/powder")
    assert cl.parse("q").kind == "quit"
    assert cl.parse("frobnicate").kind == "error"
    assert cl.parse("start").kind == "error"


def test_workflow_matching_and_candidates():
    ids = ["dummy/panel_0_xy/1", "dummy/total_counts/2"]
    assert cl.match_workflow("dummy/panel_0_xy", ids) == ids[0]
    assert cl.match_workflow("total_counts", ids) == ids[1]
    assert cl.match_workflow("dummy/total_counts/2", ids) == ids[1]
    assert cl.match_workflow("nope", ids) is None
    cands = cl.candidates(cl.workflow_refs(ids))
    assert "start dummy/panel_0_xy" in cands and "jobs dummy/total_counts" in cands
    assert "services" in cands and "lag" in cands


def test_sort_key_orders_numbers_text_and_unknowns():
    cells = ["-", "4.5k", "12s", "900", "beta", "Alpha"]
    assert sorted(cells, key=sort_key) == ["12s", "900", "4.5k", "Alpha", "beta", "-"]


def test_short_ids_cut_uuids_only():
    text = "stop panel_0/0000000a-0000-4000-8000-000000000000 of dummy/x/1"
    assert fmt.short_ids(text) == "stop panel_0/0000000a of dummy/x/1"
    assert fmt.short_ids("no ids here 12345678") == "no ids here 12345678"


def test_unknown_keymap_ids_are_listed_sorted():
    from livedata_tui.keymap import unknown_ids

    assert unknown_ids({"pause": "p", "zz": "z", "aa": "a"}, {"pause"}) == ["aa", "zz"]
    assert unknown_ids({}, {"pause"}) == []
