"""Access control for a plot server bound beyond loopback.

On loopback no access control is needed (only local users reach it). Bound to
any other address, the server refuses to start without one of:

- a token: random, printed once in the URL, stored with 0600 permissions in
  ``<state dir>/plots/token``; the first request carrying ``?token=`` gets a
  cookie (HttpOnly, SameSite=Strict) and is redirected to the URL without it, so
  the page, its websocket and resources all carry the cookie, not the URL;
- HTTP basic auth from ``LIVEDATA_PLOTS_BASIC_AUTH`` (``user:password``).

Every request without valid credentials gets 403 (401 asking for basic auth).
The access log never contains the secret (query strings are not logged).
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

BASIC_AUTH_ENV = "LIVEDATA_PLOTS_BASIC_AUTH"
COOKIE = "livedata_plots_token"
access_log = logging.getLogger("livedata.plots.access")


class AccessError(ValueError):
    """The server may not start as asked (one line for the operator)."""


def is_loopback(address: str) -> bool:
    if address in ("localhost", ""):
        return address == "localhost"
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Access:
    token: str | None = None
    basic: tuple[str, str] | None = None

    @property
    def open(self) -> bool:
        return self.token is None and self.basic is None

    def allows(self, handler) -> bool:
        if self.open:
            return True
        if self.basic is not None and self._basic_ok(
            handler.request.headers.get("Authorization", "")
        ):
            return True
        if self.token is not None:
            cookie = handler.get_cookie(COOKIE) or ""
            return hmac.compare_digest(cookie, self.token)
        return False

    def _basic_ok(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        assert self.basic is not None
        return hmac.compare_digest(user, self.basic[0]) & hmac.compare_digest(
            password, self.basic[1]
        )


def token_path(state_dir: Path) -> Path:
    return state_dir / "plots" / "token"


def write_token(path: Path) -> str:
    """A new random token, stored readable by the owner only (0600)."""
    token = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    os.chmod(path, 0o600)
    return token


def decide(bind: str, state_dir: Path, *, use_token: bool) -> Access:
    """The access control for ``bind``; ``AccessError`` when none is possible."""
    basic = os.environ.get(BASIC_AUTH_ENV, "")
    if basic:
        user, sep, password = basic.partition(":")
        if not sep or not user or not password:
            raise AccessError(f"{BASIC_AUTH_ENV} must be user:password")
        return Access(basic=(user, password))
    if is_loopback(bind) and not use_token:
        return Access()
    if not use_token:
        raise AccessError(
            f"refusing to serve plots on {bind} without access control: "
            f"use --token or set {BASIC_AUTH_ENV}=user:password"
        )
    return Access(token=write_token(token_path(state_dir)))


def install(tornado_app, access: Access) -> None:
    """Gate every request of the server's Tornado application with ``access``
    and keep secrets out of its access log."""
    from tornado.web import RequestHandler

    class Forbidden(RequestHandler):
        def prepare(self) -> None:
            if access.basic is not None:
                self.set_header("WWW-Authenticate", 'Basic realm="livedata plots"')
                self.set_status(401)
            else:
                self.set_status(403)
            self.finish("access denied: open the URL with its token\n")

    class TokenLogin(RequestHandler):
        def prepare(self) -> None:
            self.set_cookie(
                COOKIE, access.token or "", httponly=True, samesite="Strict"
            )
            rest = [(k, v) for k, v in parse_qsl(self.request.query) if k != "token"]
            self.redirect(self.request.path + (f"?{urlencode(rest)}" if rest else ""))

    original = tornado_app.find_handler

    def find_handler(request, **kwargs):
        if access.open:
            return original(request, **kwargs)
        handler_stub = _Stub(request)
        if access.allows(handler_stub):
            return original(request, **kwargs)
        token = dict(parse_qsl(request.query)).get("token")
        if (
            access.token is not None
            and token
            and hmac.compare_digest(token, access.token)
        ):
            return tornado_app.get_handler_delegate(request, TokenLogin)
        return tornado_app.get_handler_delegate(request, Forbidden)

    tornado_app.find_handler = find_handler
    tornado_app.settings["log_function"] = _log_without_query


class _Stub:
    """Enough of a handler for ``Access.allows`` before one exists."""

    def __init__(self, request) -> None:
        self.request = request

    def get_cookie(self, name: str) -> str | None:
        morsel = self.request.cookies.get(name)
        return None if morsel is None else morsel.value


def _log_without_query(handler) -> None:
    status = handler.get_status()
    access_log.info(
        "%d %s %s %.1fms",
        status,
        handler.request.method,
        handler.request.path,
        1000.0 * handler.request.request_time(),
    )
