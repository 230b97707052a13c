"""Edited grids on disk: round trip, atomic writes, corrupt files never lost."""

import json
import stat

from livedata.instruments.grid import load_grid_templates
from livedata.plots.grid_store import GridStore


def dummy_grid():
    return load_grid_templates("dummy")[0]


def test_round_trip_restores_the_edited_grid_and_the_selection(tmp_path):
    grid = dummy_grid()
    edited = grid.model_copy(update={"cells": grid.cells[:2], "title": "edited"})
    store = GridStore("dummy", tmp_path)
    assert store.save(edited)
    again = GridStore("dummy", tmp_path)
    assert again.problem is None
    assert again.grid(grid.name) == edited
    assert again.selected == grid.name
    assert not list((tmp_path / "plots").glob("*.tmp"))  # atomic: no leftovers
    again.forget(grid.name)
    assert GridStore("dummy", tmp_path).grid(grid.name) is None


def test_a_corrupt_file_is_kept_aside_and_reported_in_one_line(tmp_path):
    path = tmp_path / "plots" / "dummy.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"grids": {"x": {"name": "x"')  # truncated write
    store = GridStore("dummy", tmp_path)
    assert store.problem is not None and "\n" not in store.problem
    assert "unreadable" in store.problem and "shipped templates" in store.problem
    assert store.grids() == {}
    aside = list(path.parent.glob("dummy.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text().startswith('{"grids"')
    assert not path.exists()


def test_a_grid_that_no_longer_validates_is_treated_as_corrupt(tmp_path):
    path = tmp_path / "plots" / "dummy.json"
    path.parent.mkdir(parents=True)
    doc = {
        "grids": {
            "g": {
                "name": "g",
                "title": "",
                "nrows": 1,
                "ncols": 1,
                "cells": [{"row": 3, "col": 0, "layers": []}],
            }
        }
    }
    path.write_text(json.dumps(doc))
    store = GridStore("dummy", tmp_path)
    assert store.problem is not None and "kept as" in store.problem
    assert store.grid("g") is None


def test_write_failure_is_counted_not_raised(tmp_path):
    blocked = tmp_path / "ro"
    blocked.mkdir()
    (blocked / "plots").mkdir()
    blocked.joinpath("plots").chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        store = GridStore("dummy", blocked)
        ok = store.save(dummy_grid())
    finally:
        blocked.joinpath("plots").chmod(0o755)
    import os

    if os.geteuid() != 0:  # root writes anyway
        assert not ok and store.write_errors == 1
    assert store.grid(dummy_grid().name) is not None  # kept in memory
