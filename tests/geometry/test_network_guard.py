"""The test-wide guard (tests/conftest.py): loopback works, the web does not."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import NetworkAccessInTests


def test_connecting_beyond_loopback_raises_at_once() -> None:
    with socket.socket() as s, pytest.raises(NetworkAccessInTests, match=r"93\.184"):
        s.connect(("93.184.216.34", 80))
    with pytest.raises(NetworkAccessInTests, match=r"example\.org"):
        socket.create_connection(("example.org", 443), timeout=1)


def test_loopback_connections_still_work() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            conn, _ = server.accept()
            conn.close()


def test_subprocesses_get_a_dead_proxy_and_direct_loopback() -> None:
    code = (
        "import urllib.request, sys\n"
        "try:\n"
        "    urllib.request.urlopen('http://example.org/', timeout=5)\n"
        "except OSError as err:\n"
        "    print('refused', type(err).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert out.stdout.startswith("refused"), out
    assert os.environ["HTTPS_PROXY"].startswith("http://127.0.0.1:")
    assert "127.0.0.1" in os.environ["NO_PROXY"]
