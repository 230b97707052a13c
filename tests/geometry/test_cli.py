"""``livedata geometry`` sub-app, invoked directly (main.py wiring is the lead's)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from livedata.cli.geometry import app
from livedata.geometry.fetch import file_md5
from livedata.geometry.nexus_reader import read_bank
from livedata.geometry.registry import load_registry

DUMMY_FILE = "geometry-dummy-2025-01-01.nxs"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_make_dummy_reproduces_the_registered_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["make", "--instrument", "dummy", "--output", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / DUMMY_FILE
    md5 = file_md5(path)
    assert f"{path}  md5:{md5}" in result.output
    # If this fails, the dummy layout (or h5py's file format) changed: re-register.
    assert md5 == load_registry("dummy").get(DUMMY_FILE).md5
    assert "warning" not in result.output and "note" not in result.output


def test_make_with_unregistered_date_notes_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["make", "-i", "dummy", "--date", "2031-05-06", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "geometry-dummy-2031-05-06.nxs").is_file()
    assert "is not registered" in result.output


def test_make_writes_into_data_dir_by_default(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEDATA_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["make", "-i", "dummy"]).exit_code == 0
    bank = read_bank(tmp_path / DUMMY_FILE, "panel_0")
    assert bank.dims == ("y", "x")
    assert bank.detector_number.values[0, 0] == 1
    assert bank.detector_number.values[-1, -1] == 128 * 128


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["make", "-i", "nope"], "error: instrument 'nope' has no geometry layout"),
        (["make", "-i", "dummy", "--date", "soon"], "error: 'soon' is not a date"),
        (["fetch", "-i", "dummy", "--date", "2020-01-01"], "error: no geometry file"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert result.output.count("\n") == 1


def test_fetch_finds_made_file_in_data_dir(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEDATA_DATA_DIR", str(tmp_path))
    runner.invoke(app, ["make", "-i", "dummy"])
    result = runner.invoke(app, ["fetch", "-i", "dummy", "--date", "2025-06-01"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / DUMMY_FILE)


def test_fetch_without_source_fails_with_hint(runner: CliRunner) -> None:
    result = runner.invoke(app, ["fetch", "-i", "dummy"])
    assert result.exit_code == 1
    assert "livedata geometry make" in result.output


def test_list_shows_registered_files(runner: CliRunner) -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    md5 = load_registry("dummy").get(DUMMY_FILE).md5
    assert f"dummy  {DUMMY_FILE}  md5:{md5}" in result.output.splitlines()


def test_dummy_layout_matches_the_synthetic_positions() -> None:
    from livedata.instruments.dummy import specs
    from livedata.instruments.dummy.layout import layout
    from livedata.workflows.projection import synthetic_panel_positions

    dummy = layout()
    panel = dummy.bank("panel_0")
    expected = synthetic_panel_positions(
        *specs.PANEL.shape,
        width_m=specs.PANEL_WIDTH_M,
        distance_m=specs.PANEL_DISTANCE_M,
    )
    assert panel.dims == tuple(expected.dims)
    np.testing.assert_array_equal(panel.positions, expected.values)
    np.testing.assert_array_equal(panel.detector_number, specs.PANEL.detector_numbers())
    assert dummy.source_position == (0.0, 0.0, -specs.SOURCE_TO_SAMPLE_M)
    distances = {
        m.name: m.position[2] + specs.SOURCE_TO_SAMPLE_M for m in dummy.monitors
    }
    assert distances == specs.instrument.monitors
