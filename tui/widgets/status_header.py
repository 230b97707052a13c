"""The one-line header: instrument, view, pending commands, PAUSED and READ-ONLY
badges, and the broker link (address; connected, or reconnecting since when)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static


@dataclass(frozen=True)
class HeaderState:
    instrument: str
    view: str
    pending: int = 0
    paused: bool = False
    readonly: bool = False
    rate_hz: float = 3.0
    unhealthy: int = 0  # services not OK (WARN/ERR/STALE/DEAD)
    broker: str | None = None  # address, when the plane talks to a broker
    connected: bool | None = None  # None: cannot tell
    down_since_s: float | None = None  # wall clock, while not connected


# Parts of the header in the order they are given up when the terminal is
# narrow: the broker address first, then the refresh rate and the product
# name; the instrument, the health and the badges an operator acts on stay.
_DROP_ORDER = ("address", "rate", "brand", "view", "pending")


def _parts(state: HeaderState) -> list[tuple[str | None, str, str]]:
    """(droppable name or None, text, style) in display order."""
    parts: list[tuple[str | None, str, str]] = [
        ("brand", " livedata ", "bold black on dark_cyan"),
        (None, f" {state.instrument} ", "bold white on grey23"),
        ("view", f" {state.view} ", "bold"),
        ("pending", "  ", ""),
    ]
    pending_style = "bold black on yellow" if state.pending else "dim"
    parts.append(("pending", f" pending {state.pending} ", pending_style))
    if state.unhealthy:
        parts.append((None, "  ", ""))
        parts.append((None, f" {state.unhealthy} unhealthy ", "bold white on red"))
    if state.paused:
        parts.append((None, "  ", ""))
        parts.append((None, " PAUSED ", "bold black on orange1"))
    if state.readonly:
        parts.append((None, "  ", ""))
        parts.append((None, " READ-ONLY ", "bold white on blue"))
    if state.broker is not None:
        parts.append((None, "  ", ""))
        if state.connected is False:
            since = (
                time.strftime("%H:%M:%S", time.localtime(state.down_since_s))
                if state.down_since_s is not None
                else "?"
            )
            parts.append((None, f" reconnecting since {since} ", "bold white on red"))
        else:
            parts.append((None, " connected ", "black on green"))
        parts.append(("address", f" {state.broker}", "dim"))
    parts.append(("rate", f"   {state.rate_hz:g} Hz", "dim"))
    return parts


def render_header(state: HeaderState, width: int | None = None) -> Text:
    """The header line; within ``width`` cells when given, by leaving out the
    least useful parts rather than cutting a badge in half."""
    parts = _parts(state)
    for name in _DROP_ORDER:
        if width is None or sum(len(t) for _, t, _ in parts) <= width:
            break
        parts = [p for p in parts if p[0] != name]
    text = Text(no_wrap=True, overflow="crop")
    for _, chunk, style in parts:
        text.append(chunk, style=style)
    return text


class StatusHeader(Static):
    """Re-rendered only when its state changes (cheap at the render tick)."""

    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $panel; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.state: HeaderState | None = None
        self._width: int | None = None

    def show(self, state: HeaderState) -> None:
        width = self.size.width or None
        if state != self.state or width != self._width:
            self.state = state
            self._width = width
            self.update(render_header(state, width))

    def on_resize(self) -> None:
        if self.state is not None:
            self._width = None
            self.show(self.state)
