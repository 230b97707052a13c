"""Access control: loopback open, anything else refused without a token or
basic auth; the token file is private; credentials are checked exactly."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys

import pytest

from livedata.plots.auth import (
    BASIC_AUTH_ENV,
    COOKIE,
    AccessError,
    decide,
    is_loopback,
)


class Request:
    def __init__(self, headers=None, cookies=None) -> None:
        self.headers = headers or {}
        self.cookies = cookies or {}


class Handler:
    def __init__(self, headers=None, cookie=None) -> None:
        self.request = Request(headers)
        self._cookie = cookie

    def get_cookie(self, name):
        return self._cookie if name == COOKIE else None


def test_loopback_is_open_and_other_addresses_need_access_control(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(BASIC_AUTH_ENV, raising=False)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
    assert decide("127.0.0.1", tmp_path, use_token=False).open
    with pytest.raises(AccessError, match=r"refusing to serve plots on 0\.0\.0\.0"):
        decide("0.0.0.0", tmp_path, use_token=False)


def test_token_is_random_private_and_checked_from_the_cookie(tmp_path, monkeypatch):
    monkeypatch.delenv(BASIC_AUTH_ENV, raising=False)
    access = decide("0.0.0.0", tmp_path, use_token=True)
    path = tmp_path / "plots" / "token"
    assert path.read_text().strip() == access.token and len(access.token) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert decide("0.0.0.0", tmp_path, use_token=True).token != access.token
    again = decide("0.0.0.0", tmp_path, use_token=True)
    assert again.allows(Handler(cookie=again.token))
    wrong = "y" if again.token.endswith("x") else "x"  # one character off
    assert not again.allows(Handler(cookie=again.token[:-1] + wrong))
    assert not again.allows(Handler())


def test_basic_auth_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(BASIC_AUTH_ENV, "ops:s3cret:with-colon")
    access = decide("0.0.0.0", tmp_path, use_token=False)
    good = "Basic " + base64.b64encode(b"ops:s3cret:with-colon").decode()
    bad = "Basic " + base64.b64encode(b"ops:wrong").decode()
    assert access.allows(Handler({"Authorization": good}))
    assert not access.allows(Handler({"Authorization": bad}))
    assert not access.allows(Handler({"Authorization": "Basic !!!"}))
    monkeypatch.setenv(BASIC_AUTH_ENV, "nocolon")
    with pytest.raises(AccessError, match="user:password"):
        decide("0.0.0.0", tmp_path, use_token=False)


def test_the_command_refuses_a_public_bind_without_access_control(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != BASIC_AUTH_ENV}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "livedata",
            "plots",
            "--bind",
            "0.0.0.0",
            "--bootstrap",
            "127.0.0.1:1",
            "--state-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: refusing to serve plots on 0.0.0.0 without access control: "
        f"use --token or set {BASIC_AUTH_ENV}=user:password"
    ]
