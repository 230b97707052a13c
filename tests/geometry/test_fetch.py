"""fetch against a loopback HTTP server: md5 checked, cache reused, local override."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from livedata.geometry.fetch import (
    FetchSettings,
    GeometryChecksumError,
    GeometryFetchError,
    fetch_geometry,
)
from livedata.geometry.registry import GeometryRegistry, NoGeometryFile

from .conftest import FileServer

OLD = "geometry-tiny-2025-01-01.nxs"
NEW = "geometry-tiny-2025-07-01.nxs"


def publish(folder: Path, name: str, content: bytes) -> str:
    (folder / name).write_bytes(content)
    return hashlib.md5(content).hexdigest()


@pytest.fixture
def registry(file_server: FileServer) -> GeometryRegistry:
    return GeometryRegistry.from_mapping(
        "tiny",
        {
            OLD: publish(file_server.root, OLD, b"old geometry"),
            NEW: publish(file_server.root, NEW, b"new geometry"),
        },
    )


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_downloads_file_valid_for_date_then_uses_cache(
    file_server: FileServer, registry: GeometryRegistry, tmp_path: Path
) -> None:
    settings = FetchSettings.resolve(base_url=file_server.url, cache_dir=tmp_path / "c")
    path = fetch_geometry("tiny", "2025-03-01", registry=registry, settings=settings)
    assert path == tmp_path / "c" / OLD
    assert path.read_bytes() == b"old geometry"
    again = fetch_geometry("tiny", "2025-06-30", registry=registry, settings=settings)
    assert again == path
    assert file_server.requests == [f"/geometry/{OLD}"]
    newest = fetch_geometry("tiny", "2026-01-01", registry=registry, settings=settings)
    assert newest.read_bytes() == b"new geometry"


def test_checksum_mismatch_is_a_clear_error(
    file_server: FileServer, tmp_path: Path
) -> None:
    registry = GeometryRegistry.from_mapping("tiny", {OLD: "0" * 32})
    publish(file_server.root, OLD, b"tampered")
    settings = FetchSettings.resolve(base_url=file_server.url, cache_dir=tmp_path / "c")
    with pytest.raises(
        GeometryChecksumError, match=rf"{OLD} from .*md5 does not match"
    ):
        fetch_geometry("tiny", "2025-02-01", registry=registry, settings=settings)
    assert not (tmp_path / "c" / OLD).exists()


def test_base_url_and_cache_from_environment(
    file_server: FileServer,
    registry: GeometryRegistry,
    isolated_geometry_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIVEDATA_GEOMETRY_URL", file_server.url.rstrip("/"))
    path = fetch_geometry("tiny", "2025-01-01", registry=registry)
    assert path == isolated_geometry_env / OLD
    assert file_server.requests == [f"/geometry/{OLD}"]


def test_data_dir_override_needs_no_network(
    registry: GeometryRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = tmp_path / "local"
    local.mkdir()
    publish(local, NEW, b"new geometry")
    monkeypatch.setenv("LIVEDATA_DATA_DIR", str(local))
    monkeypatch.setenv("LIVEDATA_GEOMETRY_URL", closed_port_url())
    path = fetch_geometry("tiny", "2025-08-01", registry=registry)
    assert path == local / NEW


def test_data_dir_file_with_wrong_md5_is_rejected(
    registry: GeometryRegistry, tmp_path: Path
) -> None:
    local = tmp_path / "local"
    local.mkdir()
    publish(local, NEW, b"something else")
    settings = FetchSettings.resolve(base_url=closed_port_url(), data_dir=local)
    with pytest.raises(GeometryChecksumError, match=rf"{NEW}: md5 .* registered"):
        fetch_geometry("tiny", "2025-08-01", registry=registry, settings=settings)


def test_without_base_url_a_missing_file_says_what_to_do(
    registry: GeometryRegistry,
) -> None:
    with pytest.raises(GeometryFetchError, match="livedata geometry make"):
        fetch_geometry("tiny", "2025-08-01", registry=registry)


def test_unreachable_server_is_a_fetch_error(registry: GeometryRegistry) -> None:
    settings = FetchSettings.resolve(base_url=closed_port_url())
    with pytest.raises(GeometryFetchError, match=f"cannot download {OLD}"):
        fetch_geometry("tiny", "2025-01-01", registry=registry, settings=settings)


def test_no_file_for_date_before_any(registry: GeometryRegistry) -> None:
    with pytest.raises(NoGeometryFile):
        fetch_geometry("tiny", "2024-12-31", registry=registry)
