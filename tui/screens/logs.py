"""Logs: the services' own output, followed, so a traceback is seen in the console.

Shown by ``:logs [service]`` when the console knows where the logs are (the
demo's folder, or ``livedata tui --logs DIR``): the last lines of every log
file there, then each new line as it is written, every line marked with its
service. ``f`` shows one service after another (then all again); Esc goes back.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Log

from ..logtail import LogFolder, LogLine
from ..messages import RenderNow
from .base import LiveScreen

KEEP_LINES = 5000  # lines kept (all services together) for re-filtering
POLL_S = 0.5


class LogsScreen(LiveScreen):
    """The log files of ``folder``; ``service`` (a file's name less ``.log``)
    narrows it to one."""

    BINDINGS = [
        Binding("f", "next_service", "Service", id="logs.service"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, folder: Path, service: str | None = None) -> None:
        super().__init__()
        self.folder = LogFolder(folder)
        self.service = service
        self.lines: deque[LogLine] = deque(maxlen=KEEP_LINES)
        self.view_name = self._title()

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Log(id="log", max_lines=KEEP_LINES, auto_scroll=True)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        if self.service is not None and self.service not in self.folder.sources():
            known = ", ".join(self.folder.sources()) or "none yet"
            self.notify(f"no log {self.service!r} (logs: {known})", severity="warning")
        self.poll()
        self.set_interval(POLL_S, self.poll)
        self.query_one(Log).focus()

    def poll(self) -> None:
        """Read what the files gained and show the lines that pass the filter."""
        new = self.folder.read()
        self.lines.extend(new)
        shown = [self._line(x) for x in new if self._wanted(x)]
        if shown:
            self.query_one(Log).write_lines(shown)

    def shown_text(self) -> list[str]:
        """The lines on display, oldest first (what a test reads)."""
        return list(self.query_one(Log).lines)

    def action_next_service(self) -> None:
        sources = self.folder.sources()
        if not sources:
            return
        if self.service not in sources:
            self.service = None if self.service else sources[0]
        else:
            i = sources.index(self.service) + 1
            self.service = sources[i] if i < len(sources) else None
        self.view_name = self._title()
        log = self.query_one(Log)
        log.clear()
        log.write_lines([self._line(x) for x in self.lines if self._wanted(x)])
        self.post_message(RenderNow())  # the header names the service shown

    def _wanted(self, line: LogLine) -> bool:
        return self.service is None or line.source == self.service

    def _line(self, line: LogLine) -> str:
        return line.text if self.service else f"{line.source:<14} {line.text}"

    def _title(self) -> str:
        return f"Logs {self.service}" if self.service else "Logs (all)"
