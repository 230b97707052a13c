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


def test_fetch_over_http_downloads_into_the_cache(
    runner: CliRunner,
    tmp_path: Path,
    file_server,
    isolated_geometry_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CLI against the loopback server: the registered file valid on the date
    is downloaded once, md5-checked, and found in the cache the second time."""
    made = runner.invoke(app, ["make", "-i", "dummy", "-o", str(file_server.root)])
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("LIVEDATA_GEOMETRY_URL", file_server.url)
    first = runner.invoke(app, ["fetch", "-i", "dummy", "--date", "2025-06-01"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == str(isolated_geometry_env / DUMMY_FILE)
    assert (
        file_md5(isolated_geometry_env / DUMMY_FILE)
        == load_registry("dummy").get(DUMMY_FILE).md5
    )
    again = runner.invoke(app, ["fetch", "-i", "dummy"])
    assert again.exit_code == 0, again.output
    assert file_server.requests == [f"/geometry/{DUMMY_FILE}"]


def test_fetch_over_http_rejects_a_tampered_file(
    runner: CliRunner, file_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    (file_server.root / DUMMY_FILE).write_bytes(b"not the registered geometry")
    monkeypatch.setenv("LIVEDATA_GEOMETRY_URL", file_server.url)
    result = runner.invoke(app, ["fetch", "-i", "dummy"])
    assert result.exit_code == 1
    assert result.output.startswith("error: ")
    assert "md5 does not match" in result.output
    assert result.output.count("\n") == 1


def test_fetch_dream_finds_the_made_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DREAM has a registry: make writes the registered file, fetch finds it."""
    monkeypatch.setenv("LIVEDATA_DATA_DIR", str(tmp_path))
    made = runner.invoke(app, ["make", "-i", "dream"])
    assert made.exit_code == 0, made.output
    assert "warning" not in made.output and "note" not in made.output
    result = runner.invoke(app, ["fetch", "-i", "dream"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "geometry-dream-2025-01-01.nxs")
