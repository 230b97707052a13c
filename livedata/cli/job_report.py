"""What a finished ``job start|stop|reset`` prints, and the exit code it ends with.

Job ids on stdout are only those a service acknowledged, so a script never takes
a rejected or unanswered start for a running job; ``--json`` says the same
explicitly (``acknowledged``, ``rejected``, ``missing``). Everything else goes
to stderr. Imported only once a command has an answer (Rich stays unloaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import typer

from .common import ExitCode, fail
from .output import emit_json, progress

EXIT = {
    "ACK": ExitCode.OK,
    "timeout": ExitCode.NO_ACK,
    "ERR": ExitCode.ERR,
    "partial": ExitCode.PARTIAL,
    "not sent": ExitCode.ERROR,
}


@dataclass(frozen=True)
class Rejection:
    job_id: str
    message: str | None


@dataclass(frozen=True)
class Verdict:
    """The command's jobs sorted by what their services answered."""

    acknowledged: tuple[str, ...]
    rejected: tuple[Rejection, ...]
    missing: tuple[str, ...]


def sort_jobs(row) -> Verdict:
    """A start is answered per source, a stop or reset per job; a broadcast to
    jobs this client did not know of is answered by jobs it never listed."""
    answers = {d: (r, m) for d, r, m in row.answers if d != "client"}
    acknowledged: list[str] = []
    rejected: list[Rejection] = []
    missing: list[str] = []
    used: set[str] = set()

    def place(job: str, response: str, message: str | None) -> None:
        if response == "ACK":
            acknowledged.append(job)
        else:
            rejected.append(Rejection(job, message))

    for job in row.job_ids:
        source = job.rpartition("/")[0]
        device = job if job in answers else source if source in answers else None
        if device is None:
            missing.append(job)
        else:
            used.add(device)
            place(job, *answers[device])
    for device, answer in answers.items():
        if device not in used:
            place(device, *answer)
    return Verdict(tuple(acknowledged), tuple(rejected), tuple(missing))


def report(row, as_json: bool, *, instrument: str, timeout: float) -> NoReturn:
    """Job ids (or the JSON document) on stdout, the outcome on stderr; exit."""
    outcome = row.outcome.value
    verdict = sort_jobs(row)
    not_sent = next((m for d, r, m in row.answers if d == "client"), None)
    if as_json:
        emit_json(
            _document(
                outcome,
                row.summary,
                instrument,
                verdict,
                message_id=row.message_id,
                error=not_sent,
                answers=row.answers,
            )
        )
    else:
        for job in verdict.acknowledged:
            typer.echo(job)
        for device, response, message in row.answers:
            if response != "ACK" and device != "client":
                progress(f"{device}: {response} {message or ''}".rstrip())
        if outcome != "not sent" and (verdict.missing or outcome == "timeout"):
            progress(
                f"no answer within {timeout:g} s from the services of {instrument}"
                + (f" for {', '.join(verdict.missing)}" if verdict.missing else "")
            )
            if row.summary.startswith("start "):
                progress(
                    "the job may still start late: `livedata job list` shows it;"
                    " retry with --if-not-running to never run it twice"
                )
    if outcome == "not sent":
        fail(f"command not sent: {(not_sent or '').removeprefix('not sent: ')}")
    if not as_json:
        progress(f"{row.summary}: {outcome}")
    raise typer.Exit(int(EXIT.get(outcome, ExitCode.PARTIAL)))


def report_nothing_to_do(
    action: str, target: str, as_json: bool, *, instrument: str
) -> NoReturn:
    """Services answered heartbeats with no job to act on: done, exit 0."""
    summary = f"no jobs to {action}"
    if as_json:
        nothing = Verdict((), (), ())
        emit_json(_document("no jobs", f"{summary} ({target})", instrument, nothing))
    progress(f"{summary} ({target})")
    raise typer.Exit(int(ExitCode.OK))


def _document(
    outcome: str,
    summary: str,
    instrument: str,
    verdict: Verdict,
    *,
    message_id: str | None = None,
    error: str | None = None,
    answers=(),
) -> dict:
    """The ``--json`` document of every ``job start|stop|reset``."""
    return {
        "outcome": outcome,
        "message_id": message_id,
        "summary": summary,
        "instrument": instrument,
        "acknowledged": list(verdict.acknowledged),
        "rejected": [
            {"job_id": r.job_id, "message": r.message} for r in verdict.rejected
        ],
        "missing": list(verdict.missing),
        "error": error,
        "answers": [{"device": d, "response": r, "message": m} for d, r, m in answers],
    }
