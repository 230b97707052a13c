"""The ``:`` command line: a hidden Input that completes views and workflows."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.suggester import SuggestFromList
from textual.widgets import Input


class CommandLine(Input):
    """Shown by ``:``; Tab (or Right) accepts the greyed-out completion."""

    BINDINGS = [Binding("tab", "cursor_right", "Complete", show=False)]

    def on_mount(self) -> None:
        self.can_focus = (
            False  # hidden until ':' so it never takes keys meant for views
        )

    def open(self, candidates: Sequence[str]) -> None:
        self.suggester = SuggestFromList(candidates, case_sensitive=False)
        self.value = ""
        self.add_class("-active")
        self.can_focus = True
        self.focus()

    def close(self) -> None:
        self.value = ""
        self.remove_class("-active")
        self.can_focus = False
        self.screen.focus_next()
