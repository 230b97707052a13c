"""Command palette (Ctrl+P) entries: every view and every workflow's start form."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from . import command_line


class ConsoleCommands(Provider):
    """Fuzzy-searchable views and ``start <workflow>`` forms."""

    def _entries(self) -> list[tuple[str, object, str]]:
        app = self.app
        entries = [
            (f"Show {view}", partial(app.action_view, view), f"the {view} view")
            for view in command_line.VIEWS
        ]
        # a read-only console offers no start form
        readonly = getattr(app, "readonly", False)
        workflows = () if readonly else getattr(app, "workflows", {}).items()
        # Newest version of a name first: the one a search picks by default.
        for workflow_id, spec in sorted(
            workflows, key=lambda item: _newest_first(item[0])
        ):
            help_text = spec.title + (" (facility-compatible)" if spec.facility else "")
            entries.append(
                (
                    f"Start {workflow_id}",
                    partial(app.open_start_form, workflow_id),
                    help_text,
                )
            )
        return entries

    async def discover(self) -> Hits:
        for name, callback, help_text in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _newest_first(workflow_id: str) -> tuple[str, int]:
    head, _, version = workflow_id.rpartition("/")
    return head, -int(version) if version.isdigit() else 0
