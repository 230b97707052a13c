"""The ``:`` command line: parsing and completion candidates (pure, testable).

Jobs are named by any unique prefix of their number, with or without
``source/`` (``livedata.control.job_ids``, as in the CLI): ``:stop 6ab3``,
``:reset panel_0/6ab3``, ``:job 6ab3`` (its detail).
"""

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
JOB_COMMANDS = ("stop", "reset", "job")  # each takes a job id or prefix
WRITE_COMMANDS = ("start", "stop", "reset")  # hidden in a read-only console


@dataclass(frozen=True)
class Command:
    """What a command line asked for: ``view`` (+ filter), ``start``, a job
    command (``stop``, ``reset``, ``job``), ``logs``, ``plots``, ``quit``."""

    kind: str  # "view" | "start" | "stop" | "reset" | "job" | "logs" | ... | "error"
    target: str = ""  # view name, workflow reference, job id or prefix
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
    if head in JOB_COMMANDS and (rest or head != "job"):
        if not rest or len(rest.split()) > 1:
            return Command("error", argument=f"usage: :{head} <job id or prefix>")
        return Command(head, target=rest)
    if head in ("logs", "log"):
        return Command("logs", argument=rest)
    view = ALIASES.get(head, head)
    if view in VIEWS:
        return Command("view", target=view, argument=rest)
    return Command("error", argument=f"unknown command {head!r}")


def candidates(
    workflow_refs: Iterable[str],
    job_refs: Iterable[str] = (),
    *,
    readonly: bool = False,
    logs: bool = False,
) -> list[str]:
    """Completions: every view, ``start <workflow>``, ``jobs <workflow>``,
    ``job|stop|reset <job>``, ``logs`` (when there are logs), ``plots``; a
    read-only console is offered no start, stop or reset."""
    refs = sorted(set(workflow_refs))
    jobs = sorted(set(job_refs))
    verbs = ("job",) if readonly else ("job", "stop", "reset")
    return [
        *VIEWS,
        *(() if readonly else (f"start {ref}" for ref in refs)),
        *(f"jobs {ref}" for ref in refs),
        *(f"{verb} {job}" for verb in verbs for job in jobs),
        *(("logs",) if logs else ()),
        "plots",
        "q",
    ]


def workflow_refs(workflow_ids: Iterable[str]) -> list[str]:
    """``inst/name`` for each ``inst/name/version`` (what an operator types),
    once per name, and each full id of a name that has several versions."""
    ids = list(workflow_ids)
    short = [wid.rsplit("/", 1)[0] if wid.count("/") == 2 else wid for wid in ids]
    refs = list(dict.fromkeys(short))
    refs += [wid for wid, ref in zip(ids, short, strict=True) if short.count(ref) > 1]
    return refs


def _version(wid: str) -> int:
    tail = wid.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def match_workflow(ref: str, workflow_ids: Iterable[str]) -> str | None:
    """The workflow id that ``ref`` names: the full id, or the newest version of
    ``inst/name`` or of a bare ``name``."""
    ref = ref.strip()
    matches = []
    for wid in workflow_ids:
        parts = wid.split("/")
        if ref == wid:
            return wid
        if ref in ("/".join(parts[:2]), parts[1] if len(parts) == 3 else wid):
            matches.append(wid)
    return max(matches, key=_version) if matches else None
