from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from livedata.geometry.registry import (
    GeometryError,
    GeometryRegistry,
    NoGeometryFile,
    geometry_filename,
    get_nexus_geometry_filename,
    load_registry,
    registered_instruments,
)
from livedata.instruments.loader import NoLayout, layout_instruments, load_layout

MD5_A = "0" * 32
MD5_B = "1" * 32
MD5_C = "a" * 32


def three_files() -> GeometryRegistry:
    # Deliberately unsorted: the registry orders by date, not by listing order.
    return GeometryRegistry.from_mapping(
        "dream",
        {
            "geometry-dream-2025-06-01.nxs": MD5_B,
            "geometry-dream-2024-01-15.nxs": MD5_A,
            "geometry-dream-2026-02-01.nxs": f"md5:{MD5_C.upper()}",
        },
    )


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2024-01-15", "geometry-dream-2024-01-15.nxs"),
        ("2025-05-31", "geometry-dream-2024-01-15.nxs"),
        (date(2025, 6, 1), "geometry-dream-2025-06-01.nxs"),
        (datetime(2025, 12, 31, 23, 59), "geometry-dream-2025-06-01.nxs"),
        ("2030-01-01", "geometry-dream-2026-02-01.nxs"),
    ],
)
def test_file_for_picks_latest_dated_on_or_before(when, expected) -> None:
    assert three_files().file_for(when).filename == expected


def test_file_for_before_first_file_names_the_dates() -> None:
    with pytest.raises(NoGeometryFile, match=r"dream valid on 2023-12-31.*2024-01-15"):
        three_files().file_for("2023-12-31")


def test_empty_registry_has_no_file() -> None:
    with pytest.raises(NoGeometryFile, match="registered dates: none"):
        GeometryRegistry.from_mapping("loki", {}).file_for("2025-01-01")


def test_md5_is_normalised_and_offered_to_pooch() -> None:
    registry = three_files()
    assert registry.get("geometry-dream-2026-02-01.nxs").md5 == MD5_C
    assert registry.pooch_registry()["geometry-dream-2024-01-15.nxs"] == f"md5:{MD5_A}"
    assert registry.get("geometry-dream-1999-01-01.nxs") is None


@pytest.mark.parametrize(
    ("name", "md5", "message"),
    [
        ("dream-2025-01-01.nxs", MD5_A, "is not named"),
        ("geometry-dream-2025-1-1.nxs", MD5_A, "is not named"),
        ("geometry-dream-2025-02-30.nxs", MD5_A, "is not a date"),
        ("geometry-dream-2025-01-01.nxs", "abc", "not an md5"),
        ("geometry-loki-2025-01-01.nxs", MD5_A, "registry of 'dream'"),
    ],
)
def test_bad_entries_are_rejected(name, md5, message) -> None:
    with pytest.raises(GeometryError, match=message):
        GeometryRegistry.from_mapping("dream", {name: md5})


def test_geometry_filename_format() -> None:
    assert (
        geometry_filename("bifrost", "2025-03-04") == "geometry-bifrost-2025-03-04.nxs"
    )


def test_shipped_dummy_registry_is_loaded_from_config() -> None:
    assert "dummy" in registered_instruments()
    registry = load_registry("dummy")
    assert [f.filename for f in registry.files] == ["geometry-dummy-2025-01-01.nxs"]
    assert get_nexus_geometry_filename("dummy", "2026-01-01") == (
        "geometry-dummy-2025-01-01.nxs"
    )


def test_registry_follows_config_dir(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "defaults").mkdir()
    (tmp_path / "defaults" / "geometry.yaml").write_text("base_url: ''\nfiles: {}\n")
    folder = tmp_path / "instruments" / "odin"
    folder.mkdir(parents=True)
    (folder / "geometry.yaml").write_text(
        f"files:\n  geometry-odin-2025-02-02.nxs: {MD5_B}\n"
    )
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(tmp_path))
    assert registered_instruments() == ["odin"]
    assert load_registry("odin").file_for("2025-03-01").md5 == MD5_B
    assert load_registry("nobody").files == ()


def test_load_layout_of_dummy_and_missing_instrument() -> None:
    assert load_layout("dummy").bank("panel_0").shape == (128, 128)
    assert "dummy" in layout_instruments()
    with pytest.raises(NoLayout, match=r"'nope' has no geometry layout"):
        load_layout("nope")
