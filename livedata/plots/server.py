"""Run the plot server: control plane, data service, updater, sessions, Panel.

``serve`` builds one ``PlotContext`` per process, starts the background updater
thread (D15) and the Panel/Bokeh server on ``bind:port``, installs access
control (``auth``) and serves until ``stop`` is set. ``/livedata/sessions``
answers the live sessions as JSON (for operators, tests and benchmarks; behind
the same access control).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import panel as pn
from tornado.web import RequestHandler

from ..control.config_store import default_state_dir
from ..control.data_service import DataService
from ..instruments import get_instrument
from ..instruments.grid import load_grid_templates
from . import page
from .auth import Access, install, is_loopback
from .context import UPDATE_PERIOD_MS, PlotContext
from .feeds import Updater
from .grid_store import GridStore
from .heap import PeriodicTrim
from .roi_tools import RoiOutbox
from .sessions import SESSION_TIMEOUT_S, SessionRegistry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    port: int = 0
    bind: str = "127.0.0.1"
    template: str | None = None
    state_dir: Path | None = None
    session_timeout_s: float = SESSION_TIMEOUT_S
    period_ms: int = UPDATE_PERIOD_MS


def build_context(
    instrument: str, plane: Any, data: DataService, options: ServeOptions
) -> PlotContext:
    inst = get_instrument(instrument)
    templates = {t.name: t for t in load_grid_templates(instrument)}
    if options.template is not None and options.template not in templates:
        known = ", ".join(templates) or "none"
        raise ValueError(
            f"no grid template {options.template!r} for {instrument}; known: {known}"
        )
    sessions = SessionRegistry(timeout_s=options.session_timeout_s)
    updater = Updater(data)
    updater.on_tick(sessions.expire)
    updater.on_tick(PeriodicTrim())  # the heap's free pages, once a minute
    transport = getattr(plane, "transport", None)
    outbox = RoiOutbox(transport.send) if transport is not None else None
    return PlotContext(
        instrument=instrument,
        plane=plane,
        data=data,
        updater=updater,
        sessions=sessions,
        store=GridStore(instrument, options.state_dir or default_state_dir()),
        templates=templates,
        default_template=options.template,
        period_ms=options.period_ms,
        workflows={str(s.workflow_id): s for s in inst.workflows.specs()},
        roi_outbox=outbox,
    )


def make_server(ctx: PlotContext, access: Access, options: ServeOptions) -> Any:
    """The Bokeh server (not started) with the app, the gate and the status route."""

    class Sessions(RequestHandler):
        def get(self) -> None:
            window = float(self.get_argument("window", "60"))
            stages = ctx.lags.summary(window)
            self.set_header("Content-Type", "application/json")
            self.finish(
                json.dumps(
                    {
                        "sessions": list(ctx.sessions.ids()),
                        "expired_total": ctx.sessions.expired_total,
                        "feeds": len(ctx.updater.feeds()),
                        # data time to server-side render, last ``window`` s
                        "render_lag_ms": stages["rendered"],
                        # ... and to every server stage (latency.STAGES)
                        "stages_ms": stages,
                    }
                )
            )

    port = options.port or free_port(options.bind)
    # Websockets only from pages of this server: any host name on a bound
    # address (the token cookie is SameSite=Strict), loopback names otherwise.
    if is_loopback(options.bind):
        origins = [f"localhost:{port}", f"127.0.0.1:{port}"]
    else:
        origins = [f"*:{port}"]
    server = pn.serve(
        {"/": lambda: page.create(ctx)},
        port=port,
        address=options.bind,
        websocket_origin=origins,
        show=False,
        start=False,
        verbose=False,
        title=f"livedata plots: {ctx.instrument}",
        extra_patterns=[(r"/livedata/sessions", Sessions)],
        # Bokeh drops a document without a websocket (closed, or never opened:
        # a page may take seconds to load on a busy machine) after a minute at
        # least; the registry forgets a silent session after the timeout.
        check_unused_sessions_milliseconds=1000,
        unused_session_lifetime_milliseconds=round(
            max(options.session_timeout_s, 60) * 1000
        ),
    )
    install(server._tornado, access)
    return server


def free_port(bind: str) -> int:
    import socket

    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((bind if bind != "localhost" else "127.0.0.1", 0))
        return sock.getsockname()[1]


def url_of(server: Any, bind: str, access: Access) -> str:
    host = bind if bind not in ("0.0.0.0", "::", "") else _hostname()
    if ":" in host:
        host = f"[{host}]"
    query = f"?token={access.token}" if access.token else ""
    return f"http://{host}:{server.port}/{query}"


def _hostname() -> str:
    import socket

    return socket.getfqdn()


def run(
    ctx: PlotContext,
    access: Access,
    options: ServeOptions,
    on_url: Callable[[str], None],
    stop: threading.Event,
) -> None:
    """Serve until ``stop`` is set; ``on_url`` gets the URL once (with any token)."""
    server = make_server(ctx, access, options)
    ctx.updater.start()
    server.start()
    on_url(url_of(server, options.bind, access))

    def watch() -> None:
        stop.wait()
        server.io_loop.add_callback(server.io_loop.stop)

    threading.Thread(target=watch, name="plots-stop", daemon=True).start()
    try:
        server.io_loop.start()
    finally:
        ctx.updater.stop()
        if ctx.roi_outbox is not None:
            ctx.roi_outbox.stop()
        server.stop()
