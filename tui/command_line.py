"""The ``:`` command line: parsing and completion candidates (pure, testable)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

VIEWS = ("services", "jobs", "commands", "workflows", "results", "lag", "notifications")
ALIASES = {
    "svc": "services",
    "job": "jobs",
    "cmd": "commands",
    "wf": "workflows",
    "res": "results",
    "log": "notifications",
    "notes": "notifications",
}
QUIT = ("q", "quit", "q!")


@dataclass(frozen=True)
class Command:
    """What a command line asked for: ``view`` (+ filter), ``start``, ``quit``."""

    kind: str  # "view" | "start" | "plots" | "quit" | "error"
    target: str = ""  # view name or workflow reference
    argument: str = ""  # filter text for views; message for errors


def parse(text: str) -> Command:
    words = text.strip().lstrip(":").split(maxsplit=1)
    if not words:
        return Command("error", argument="empty command")
    head, rest = words[0].lower(), (words[1].strip() if len(words) > 1 else "")
    if head in QUIT:
        return Command("quit")
    if head == "plots":
        return Command("plots")
    if head == "start":
        if not rest:
            return Command("error", argument="usage: :start <workflow>")
        return Command("start", target=rest)
    view = ALIASES.get(head, head)
    if view in VIEWS:
        return Command("view", target=view, argument=rest)
    return Command("error", argument=f"unknown command {head!r}")


def candidates(workflow_refs: Iterable[str]) -> list[str]:
    """Completions: every view, ``start <workflow>``, ``jobs <workflow>``, ``plots``."""
    refs = sorted(set(workflow_refs))
    return [
        *VIEWS,
        *(f"start {ref}" for ref in refs),
        *(f"jobs {ref}" for ref in refs),
        "plots",
        "q",
    ]


def workflow_refs(workflow_ids: Iterable[str]) -> list[str]:
    """``inst/name`` for each ``inst/name/version`` (what an operator types)."""
    return [
        wid.rsplit("/", 1)[0] if wid.count("/") == 2 else wid for wid in workflow_ids
    ]


def match_workflow(ref: str, workflow_ids: Iterable[str]) -> str | None:
    """The workflow id that ``ref`` names: full id, ``inst/name`` or bare ``name``."""
    ref = ref.strip()
    ids = list(workflow_ids)
    for wid in ids:
        parts = wid.split("/")
        if ref in (wid, "/".join(parts[:2]), parts[1] if len(parts) == 3 else wid):
            return wid
    return None
