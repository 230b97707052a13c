"""Modal dialogs: yes/no confirmation and the ``?`` help built from the bindings."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True only on an explicit yes (button or ``y``)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HelpScreen(ModalScreen[None]):
    """Every active key with its description and remappable id (keymap file)."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(
        self, active_bindings: Mapping[str, object], commands: str = ""
    ) -> None:
        """``commands``: the ``:`` commands this console offers, shown below."""
        super().__init__()
        self.commands = commands
        self.entries = []
        seen = set()
        for key, active in active_bindings.items():
            binding = active.binding
            if not binding.description or (binding.action, key) in seen:
                continue
            seen.add((binding.action, key))
            display = binding.key_display or key
            self.entries.append((display, binding.description, binding.id or ""))
        # the console's own (remappable) keys first, then Textual's
        self.entries.sort(key=lambda entry: not entry[2])

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label("Keys  (remap by id in ~/.config/livedata/keymap.toml)")
            table = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns("KEY", "ACTION", "ID")
            for entry in self.entries:
                table.add_row(*entry)
            yield table
            yield Label(self.commands, classes="hint", markup=False)
