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


def render_header(state: HeaderState) -> Text:
    text = Text()
    text.append(" livedata ", style="bold black on dark_cyan")
    text.append(f" {state.instrument} ", style="bold white on grey23")
    text.append(f" {state.view} ", style="bold")
    text.append("  ")
    pending_style = "bold black on yellow" if state.pending else "dim"
    text.append(f" pending {state.pending} ", style=pending_style)
    if state.unhealthy:
        text.append("  ")
        text.append(f" {state.unhealthy} unhealthy ", style="bold white on red")
    if state.paused:
        text.append("  ")
        text.append(" PAUSED ", style="bold black on orange1")
    if state.readonly:
        text.append("  ")
        text.append(" READ-ONLY ", style="bold white on blue")
    if state.broker is not None:
        text.append("  ")
        if state.connected is False:
            since = (
                time.strftime("%H:%M:%S", time.localtime(state.down_since_s))
                if state.down_since_s is not None
                else "?"
            )
            text.append(f" reconnecting since {since} ", style="bold white on red")
        else:
            text.append(" connected ", style="black on green")
        text.append(f" {state.broker}", style="dim")
    text.append(f"   {state.rate_hz:g} Hz", style="dim")
    return text


class StatusHeader(Static):
    """Re-rendered only when its state changes (cheap at the render tick)."""

    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $panel; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.state: HeaderState | None = None

    def show(self, state: HeaderState) -> None:
        if state != self.state:
            self.state = state
            self.update(render_header(state))
