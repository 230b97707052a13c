"""Fixtures: a small two-bank layout and a loopback HTTP server of a tmp folder."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from livedata.instruments.pixel_layout import (
    BankLayout,
    InstrumentLayout,
    MonitorLayout,
)


def small_layout() -> InstrumentLayout:
    """A square 4x4 panel (ambiguous dims on purpose) and a bent 2x3x5 tube bank."""
    yy, xx = np.meshgrid(
        np.linspace(-0.2, 0.2, 4), np.linspace(-0.3, 0.3, 4), indexing="ij"
    )
    panel = BankLayout(
        name="panel",
        dims=("y", "x"),
        detector_number=np.arange(1, 17, dtype=np.int32).reshape(4, 4),
        positions=np.stack([xx, yy, np.full_like(xx, 3.5)], axis=-1),
    )
    angle = np.linspace(0.3, 1.2, 2 * 3 * 5).reshape(2, 3, 5)
    tubes = BankLayout(
        name="tubes",
        dims=("arc", "tube", "pixel"),
        detector_number=np.arange(1001, 1031, dtype=np.int32).reshape(2, 3, 5),
        positions=np.stack(
            [2.0 * np.sin(angle), 0.1 * angle, 2.0 * np.cos(angle)], axis=-1
        ),
    )
    return InstrumentLayout(
        instrument="tiny",
        banks=(panel, tubes),
        source_position=(0.0, 0.0, -30.0),
        sample_position=(0.0, 0.0, 0.0),
        monitors=(
            MonitorLayout("monitor_1", (0.0, 0.0, -5.0)),
            MonitorLayout("monitor_2", (0.0, 0.0, 6.0)),
        ),
    )


@pytest.fixture
def layout() -> InstrumentLayout:
    return small_layout()


@dataclass
class FileServer:
    """What the loopback server serves (``root``) and which paths were requested."""

    root: Path
    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def file_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FileServer]:
    root = tmp_path / "served"
    root.mkdir()
    served = FileServer(root=root, url="")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(self.path)
            super().do_GET()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    served.url = f"http://127.0.0.1:{server.server_address[1]}/geometry/"
    # The handler serves `root` at /geometry/ too: strip the prefix.
    (root / "geometry").symlink_to(root, target_is_directory=True)
    # A proxy from the environment must not intercept loopback requests.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def isolated_geometry_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No settings leak in from the developer's shell; the cache is per test."""
    for name in ("LIVEDATA_DATA_DIR", "LIVEDATA_GEOMETRY_URL", "LIVEDATA_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("LIVEDATA_GEOMETRY_CACHE", str(cache))
    return cache
