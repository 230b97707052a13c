"""Test-wide guards: nothing reaches beyond loopback, no test writes the user cache.

In-process, Python sockets may connect only to loopback addresses (and Unix
sockets); anything else raises at once instead of hanging on, or succeeding
against, the web. Subprocesses inherit an HTTP(S) proxy on a closed loopback
port, so their HTTP requests fail fast too (NO_PROXY keeps loopback direct), and
a per-session geometry cache (and no LIVEDATA_DATA_DIR or geometry URL from the
shell), so generated geometry files and lookup tables never land in, or come
from, the developer's folders. The XDG state and config homes point into the
session's temporary folder too: a console's config store left by an earlier
`make demo` (``~/.local/state/livedata``) or a user's keymap must never change
what a test sees. librdkafka's own sockets are not Python
sockets; the broker fixture keeps them on loopback.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkAccessInTests(RuntimeError):
    """A test tried to open a connection that leaves the machine."""


def _check(sock: socket.socket, address: object) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_loopback(host):
        raise NetworkAccessInTests(f"tests may not connect to {address!r}")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    return _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_loopback(
        host.decode() if isinstance(host, bytes) else host
    ):
        raise NetworkAccessInTests(f"tests may not resolve {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


def _closed_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def no_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", _guarded_connect)
    patch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    patch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    proxy = f"http://127.0.0.1:{_closed_loopback_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        patch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        patch.setenv(name, "127.0.0.1,localhost,::1")
    patch.setenv(
        "LIVEDATA_GEOMETRY_CACHE", str(tmp_path_factory.mktemp("geometry-cache"))
    )
    # (per test below; these catch what module- and session-scoped fixtures start)
    patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
    patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    for name in ("LIVEDATA_DATA_DIR", "LIVEDATA_GEOMETRY_URL", "LIVEDATA_KEYMAP"):
        patch.delenv(name, raising=False)
    yield
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def registered_geometry() -> None:
    """Tests call instrument workflows and fakes directly, as services do after
    installing the geometry provider at start-up (instruments cannot import the
    geometry package that reads the files)."""
    from livedata.geometry import install_nexus_geometry

    install_nexus_geometry()


@pytest.fixture(autouse=True)
def private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fresh XDG state and config homes per test (inherited by subprocesses)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
