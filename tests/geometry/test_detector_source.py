"""NeXusDetectorSource: the registered file valid on a date, made locally when
nowhere to be found (with a log line), never fetched from the web."""

from __future__ import annotations

import logging
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
import yaml

from livedata.config.loader import config_root
from livedata.geometry.detector_source import NeXusDetectorSource
from livedata.geometry.fetch import GeometryChecksumError, file_md5
from livedata.geometry.registry import GeometryError, load_registry
from livedata.instruments.instrument_geometry import InstrumentGeometry
from livedata.instruments.pixel_layout import BankLayout, InstrumentLayout

DUMMY_FILE = "geometry-dummy-2025-01-01.nxs"


def test_missing_file_is_made_into_the_cache_with_a_log_line(
    isolated_geometry_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="livedata"):
        geometry = NeXusDetectorSource("dummy").load()
    assert geometry.path == isolated_geometry_env / DUMMY_FILE
    assert file_md5(geometry.path) == load_registry("dummy").get(DUMMY_FILE).md5
    assert any(f"made {DUMMY_FILE}" in r.getMessage() for r in caplog.records)
    assert geometry.bank("panel_0").detector_number.size == 128 * 128
    assert geometry.first_detector_number("panel_0") == 1
    # Read once per process: the same object, no second log line.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="livedata"):
        assert NeXusDetectorSource("dummy").load() is geometry
    assert not caplog.records


def test_a_file_in_the_data_dir_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_geometry_env: Path
) -> None:
    made = NeXusDetectorSource("dummy").load().path
    local = tmp_path / "local"
    local.mkdir()
    shutil.copy(made, local / DUMMY_FILE)
    made.unlink()
    monkeypatch.setenv("LIVEDATA_DATA_DIR", str(local))
    assert NeXusDetectorSource("dummy").path() == local / DUMMY_FILE
    assert not made.exists()  # nothing was made again


def test_a_corrupt_file_in_the_data_dir_is_an_error_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / DUMMY_FILE).write_bytes(b"corrupt")
    monkeypatch.setenv("LIVEDATA_DATA_DIR", str(tmp_path))
    with pytest.raises(GeometryChecksumError, match="does not match"):
        NeXusDetectorSource("dummy").path()


def test_unreachable_server_falls_back_to_making_it(
    monkeypatch: pytest.MonkeyPatch,
    isolated_geometry_env: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LIVEDATA_GEOMETRY_URL", f"http://127.0.0.1:{port}/")
    with caplog.at_level(logging.WARNING, logger="livedata"):
        path = NeXusDetectorSource("dummy").path()
    assert path == isolated_geometry_env / DUMMY_FILE
    assert any("making it locally" in r.getMessage() for r in caplog.records)


def test_a_layout_that_no_longer_matches_the_registry_warns_and_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    config = tmp_path / "config"
    shutil.copytree(config_root(), config)
    registry = config / "instruments" / "dummy" / "geometry.yaml"
    registry.write_text(yaml.safe_dump({"files": {DUMMY_FILE: "0" * 32}}))
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(config))
    with caplog.at_level(logging.WARNING, logger="livedata"):
        geometry = NeXusDetectorSource("dummy").load()
    assert geometry.bank("panel_0").detector_number.size == 128 * 128
    assert any("differs from the registered" in r.getMessage() for r in caplog.records)


def test_views_refuse_banks_with_gaps_in_their_numbers(tmp_path: Path) -> None:
    numbers = np.array([[1, 2], [4, 5]], dtype=np.int32)
    bank = BankLayout("gappy", ("y", "x"), numbers, np.zeros((2, 2, 3)))
    geometry = InstrumentGeometry(
        path=tmp_path / "geometry-x-2025-01-01.nxs",
        layout=InstrumentLayout("x", (bank,)),
    )
    with pytest.raises(GeometryError, match="not consecutive"):
        geometry.first_detector_number("gappy")


def test_flight_paths_come_from_source_sample_and_pixels(tmp_path: Path) -> None:
    positions = np.array([[[3.0, 0.0, 4.0], [0.0, 0.0, 2.0]]])
    bank = BankLayout("b", ("y", "x"), np.array([[7, 8]], dtype=np.int32), positions)
    geometry = InstrumentGeometry(
        path=tmp_path / "x.nxs",
        layout=InstrumentLayout("x", (bank,), source_position=(0.0, 0.0, -10.0)),
    )
    np.testing.assert_allclose(geometry.flight_paths("b"), [15.0, 12.0])
    assert geometry.first_detector_number("b") == 7
