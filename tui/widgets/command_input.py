"""The ``:`` command line: a hidden Input that completes views and workflows."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input


class CommandLine(Input):
    """Shown by ``:``; Tab (or Right) accepts the greyed-out completion."""

    BINDINGS = [Binding("tab", "cursor_right", "Complete", show=False)]

    def on_mount(self) -> None:
        self.can_focus = (
            False  # hidden until ':' so it never takes keys meant for views
        )

    _before: Widget | None = None  # what had the focus when it opened

    def open(self, candidates: Sequence[str]) -> None:
        if self.screen.focused is not self:
            self._before = self.screen.focused
        self.suggester = SuggestFromList(candidates, case_sensitive=False)
        self.value = ""
        self.add_class("-active")
        self.can_focus = True
        self.focus()

    def close(self) -> None:
        self.value = ""
        self.remove_class("-active")
        self.can_focus = False
        # Back to where the operator was (the table), not to the next widget in
        # the chain: with a filter active, that is the filter's input, and the
        # next key would be typed into it.
        before, self._before = self._before, None
        if before is not None and before.is_attached and before.focusable:
            before.focus()
        else:
            self.screen.focus_next()
