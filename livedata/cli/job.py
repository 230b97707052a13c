"""``livedata job``: start, stop, reset and watch jobs from a shell or a script.

Everything is validated against the workflow spec before anything is published
(exit 2 listing the valid choices); then the command waits for every expected
answer and exits with a code a script can branch on (0 ACK, 3 no answer in
time, 4 ERR, 5 partial). Imports stay inside the functions (start-up speed).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    LISTEN_WAIT_S,
    BootstrapOption,
    CountOption,
    ExitCode,
    InstrumentOption,
    IntervalOption,
    JsonOption,
    NoFailOption,
    OptionalInstrumentOption,
    ParamOption,
    WatchOption,
    fail,
    instrument_option,
    new_app,
    resolve_instrument,
)

app = new_app("Start, stop, reset and list jobs.")

MIN_TIMEOUT_S = 0.5  # below this not even a healthy service can answer

TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=MIN_TIMEOUT_S,
        metavar="SECONDS",
        help="Seconds to wait for the acknowledgements.",
    ),
]
ActionInstrumentOption = Annotated[
    str | None,
    instrument_option(
        "Instrument whose jobs to act on (needed with --all; else taken from the"
        " workflow, or from the job's source when one instrument has it)."
    ),
]


def _wait_option(help: str):
    return typer.Option("--wait", min=0.1, metavar="SECONDS", help=help)


def _complete_workflow(incomplete: str) -> list[str]:
    from .workflows import complete_workflow

    return complete_workflow(incomplete)


@app.command("start")
def start(
    workflow: Annotated[
        str,
        typer.Option(
            "--workflow",
            "-w",
            metavar="WORKFLOW",
            help="Workflow id: inst/name[/version], or name with --instrument.",
            autocompletion=_complete_workflow,
        ),
    ],
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            "-s",
            metavar="SOURCE",
            help="Source name (repeat); default: all.",
        ),
    ] = None,
    param: ParamOption = None,
    params_file: Annotated[
        Path | None,
        typer.Option(
            "--params-file", metavar="FILE", help="YAML or JSON file of params."
        ),
    ] = None,
    aux: Annotated[
        list[str] | None,
        typer.Option(
            "--aux",
            metavar="ROLE=STREAM",
            help="The stream of an auxiliary input (repeat).",
        ),
    ] = None,
    start_at: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="TIME",
            help="Data time to start at: ISO 8601 (no zone means UTC) or 'now'.",
        ),
    ] = None,
    end_at: Annotated[
        str | None,
        typer.Option(
            "--end",
            metavar="TIME",
            help="Data time to end at (after --start): ISO 8601 (UTC) or 'now'.",
        ),
    ] = None,
    timeout: TimeoutOption = 10.0,
    if_not_running: Annotated[
        bool,
        typer.Option(
            "--if-not-running",
            help="If the workflow already runs on every source, print its jobs"
            " and send nothing (safe to retry after exit 3).",
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace a source's running job of it."),
    ] = False,
    add: Annotated[
        bool,
        typer.Option("--add", help="Run another job beside a running one."),
    ] = False,
    instrument: OptionalInstrumentOption = None,
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
) -> None:
    """Start a job per source and wait until every owning service acknowledged.

    Prints the ids of the acknowledged jobs (with --json: acknowledged,
    rejected and missing ones). A workflow already running on a source needs
    --replace, --add or --if-not-running (else exit 2, nothing sent). Exit 0
    all ACK, 3 no answer in time (the job may start late: retry with
    --if-not-running), 4 ERR, 5 partial, 2 invalid input (nothing is sent),
    1 not sent or no broker.
    """
    from .job_args import (
        check_window,
        parse_assignments,
        parse_time,
        read_params_file,
    )
    from .job_report import report
    from .output import progress
    from .planes import open_plane
    from .workflows import resolve_workflow

    spec = resolve_workflow(workflow, instrument)
    try:
        params = {
            **read_params_file(params_file),
            **parse_assignments(param or [], "--param", typed=True),
        }
        aux_names = parse_assignments(aux or [], "--aux", typed=False)
        start_ns, end_ns = parse_time(start_at), parse_time(end_at)
        check_window(start_ns, end_ns)
    except ValueError as err:
        fail(str(err), ExitCode.USAGE)
    if sum((if_not_running, replace, add)) > 1:
        fail(
            "give at most one of --if-not-running, --replace and --add",
            ExitCode.USAGE,
        )
    sources = list(source or spec.source_names)
    validate_offline(spec, sources, params, aux_names)
    wid = str(spec.workflow_id)
    opened = time.monotonic()
    with open_plane(spec.instrument, bootstrap, timeout) as plane:
        running = _running_on(
            plane, spec, sources, min(timeout, LISTEN_WAIT_S), since=opened
        )
        if running and if_not_running and set(running) == set(sources):
            for jobs in running.values():
                for job in jobs:
                    typer.echo(job)
            progress(f"{wid} already runs on {', '.join(sorted(running))}: not sent")
            raise typer.Exit(ExitCode.OK)
        if running and not (replace or add or if_not_running):
            which = "; ".join(
                f"{s}: {', '.join(jobs)}" for s, jobs in sorted(running.items())
            )
            fail(
                f"{wid} already runs ({which}); give --replace, --add or"
                " --if-not-running (nothing sent)",
                ExitCode.USAGE,
            )
        if if_not_running:
            sources = [s for s in sources if s not in running]
        row = plane.start_job(
            wid, sources, params, aux_names, start_ns, end_ns, replace=replace
        )
        row = _wait(plane, row, timeout, f"starting {spec.workflow_id}")
    report(row, json, instrument=spec.instrument, timeout=timeout)


def _running_on(
    plane, spec, sources, wait_s: float, since: float
) -> dict[str, list[str]]:
    """The running jobs of the workflow per requested source, from heartbeats
    (waiting up to ``wait_s`` for a live beat of its services, sent after
    ``since``, and every job they report: one started a moment ago counts)."""
    from ..control.snapshots import ENDED_JOB_STATES

    def heard(snap) -> bool:
        live = any(
            s.service_name == spec.namespace and s.last_seen_s >= since
            for s in snap.services
        )
        return live and snap.heard_all_jobs(spec.namespace)

    plane.wait_for(heard, wait_s)
    wid = str(spec.workflow_id)
    running: dict[str, list[str]] = {}
    for job in plane.snapshot().jobs:
        if (
            job.workflow_id == wid
            and job.source_name in sources
            and job.state not in ENDED_JOB_STATES
        ):
            running.setdefault(job.source_name, []).append(job.job_id)
    return running


def _action_command(action: str, doc: str):
    """``job stop`` and ``job reset`` take the same selection of jobs."""

    def command(
        job_id: Annotated[
            str | None,
            typer.Argument(
                metavar="JOB_ID",
                help="A job: source/uuid, or a unique prefix of its number"
                " (source/6ab372f3 or 6ab372f3).",
            ),
        ] = None,
        workflow: Annotated[
            str | None,
            typer.Option(
                "--workflow",
                "-w",
                metavar="WORKFLOW",
                help="Every job of this workflow.",
                autocompletion=_complete_workflow,
            ),
        ] = None,
        all_jobs: Annotated[
            bool, typer.Option("--all", help="Every job of the instrument.")
        ] = False,
        timeout: TimeoutOption = 10.0,
        instrument: ActionInstrumentOption = None,
        bootstrap: BootstrapOption = None,
        json: JsonOption = False,
    ) -> None:
        _act(action, job_id, workflow, all_jobs, timeout, instrument, bootstrap, json)

    command.__doc__ = doc
    return command


_ACTION_EPILOG = (
    "Exit 0 when every job acknowledged (or, with --workflow or --all, when the"
    " services report no such job), 3 no answer in time, 4 ERR, 5 partial."
)
app.command("stop")(
    _action_command(
        "stop",
        "Stop jobs: the last results are published, then they finish.\n\n"
        + _ACTION_EPILOG,
    )
)
app.command("reset")(
    _action_command(
        "reset",
        "Reset jobs: clear what they accumulated and carry on.\n\n" + _ACTION_EPILOG,
    )
)


@app.command("list")
def list_jobs(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
    watch: WatchOption = False,
    interval_s: IntervalOption = 2.0,
    count: CountOption = None,
    wait_s: Annotated[
        float,
        _wait_option(
            "Seconds to listen for heartbeats (every 2 s; recent ones are read"
            " back too)."
        ),
    ] = LISTEN_WAIT_S,
    no_fail: NoFailOption = False,
) -> None:
    """Jobs the services report in their heartbeats, with their service's warning.

    A job whose service stopped beating stays listed as stale. Exit 6 when a
    job is in error, warning or stale, or its service is not OK, unless
    --no-fail; 1 no broker.
    """
    from .planes import open_plane
    from .status_views import job_table, jobs_unhealthy, watch_snapshots

    inst = resolve_instrument(instrument).name
    with open_plane(inst, bootstrap, wait_s) as plane:
        last = watch_snapshots(plane, wait_s, watch, json, job_table, interval_s, count)
    if last is not None and not no_fail and jobs_unhealthy(last):
        raise typer.Exit(ExitCode.UNHEALTHY)


@app.command("status")
def status(
    job_id: Annotated[
        str,
        typer.Argument(
            metavar="JOB_ID",
            help="source/uuid, the uuid, or a unique prefix of it (6ab372f3).",
        ),
    ],
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
    wait_s: Annotated[
        float, _wait_option("Seconds to listen for its heartbeat.")
    ] = LISTEN_WAIT_S,
) -> None:
    """State, times and messages of one job (exit 1 if it is not seen)."""
    from .output import emit_json, print_table
    from .planes import open_plane
    from .status_views import job_cells, job_columns

    inst = resolve_instrument(instrument).name
    with open_plane(inst, bootstrap, wait_s) as plane:
        plane.wait_for(lambda snap: _find_job(snap, job_id) is not None, wait_s)
        found = _find_job(plane.snapshot(), job_id)
    if found is None:
        fail(f"job {job_id} not seen in {wait_s:g} s of heartbeats")
    if json:
        from .output import to_jsonable

        emit_json(to_jsonable(found))
    else:
        print_table(job_columns(), [job_cells(found)])


# -- helpers -------------------------------------------------------------------


def validate_offline(spec, sources, params, aux) -> None:
    """The orchestrator's checks, before any connection: exit 2 on bad input."""
    from ..control.orchestrator import Orchestrator
    from ..instruments import get_instrument

    registry = get_instrument(spec.instrument).workflows
    # validate() only reads specs; no command or job service is needed for it.
    checker = Orchestrator(spec.instrument, registry, commands=None, jobs=None)
    try:
        checker.validate(spec.workflow_id, sources, params, aux)
    except ValueError as err:
        fail(str(err), ExitCode.USAGE)


def _wait(plane, row, timeout: float, what: str):
    import sys

    # A spinner only on a terminal; checked first, as importing Rich costs
    # ~0.15 s of the start-stop time that scripts pay on every call.
    if not sys.stderr.isatty():
        return plane.wait(row.message_id, timeout)
    from .output import make_console

    with make_console(stderr=True).status(f"{what}: waiting for acknowledgements"):
        return plane.wait(row.message_id, timeout)


def _find_job(snapshot, job_id: str):
    """The one job ``job_id`` (or a unique prefix of its number) names."""
    from ..control.job_ids import matching_jobs

    found = matching_jobs(snapshot.jobs, job_id)
    if len(found) > 1:
        names = ", ".join(j.job_id for j in found[:5])
        fail(f"job id {job_id!r} is ambiguous: {names}", ExitCode.USAGE)
    return found[0] if found else None


def _resolve_job(plane, job_id: str, action: str, wait_s: float) -> str:
    """The full id of the one live job ``job_id`` names, from heartbeats; exit 2
    (nothing published) when no running job or several match."""
    from ..control.job_ids import matching_jobs
    from ..control.snapshots import ENDED_JOB_STATES

    def live(snap):
        return [j for j in snap.jobs if j.state not in ENDED_JOB_STATES]

    plane.wait_for(
        lambda snap: bool(matching_jobs(live(snap), job_id)) and snap.heard_all_jobs(),
        wait_s,
    )
    snap = plane.snapshot()
    found = matching_jobs(live(snap), job_id)
    if len(found) > 1:
        names = ", ".join(j.job_id for j in found[:5])
        fail(f"job {action}: {job_id!r} is ambiguous: {names}", ExitCode.USAGE)
    if not found:
        fail(
            f"job {action}: no running job {job_id!r} in {wait_s:g} s of heartbeats"
            f" ({len(live(snap))} running); nothing sent",
            ExitCode.USAGE,
        )
    return found[0].job_id


def _act(action, job_id, workflow, all_jobs, timeout, instrument, bootstrap, json):
    from ..control.api import NoJobsToActOn
    from .job_report import report, report_nothing_to_do
    from .planes import open_plane

    chosen = [x for x in (job_id, workflow, all_jobs or None) if x]
    if len(chosen) != 1:
        fail("give exactly one of JOB_ID, --workflow or --all", ExitCode.USAGE)
    wid = None
    if workflow:
        from .workflows import resolve_workflow

        spec = resolve_workflow(workflow, instrument)
        inst, wid = spec.instrument, str(spec.workflow_id)
    elif job_id:
        from ..control.job_ids import split_job_id

        if split_job_id(job_id) is None:
            fail(
                f"bad job id {job_id!r}: expected source/uuid, source/PREFIX or"
                " PREFIX (hex digits of the job number)",
                ExitCode.USAGE,
            )
        inst = _instrument_of_job(job_id, instrument, action)
    else:
        if instrument is None:
            fail(
                f"job {action} --all needs --instrument (or LIVEDATA_INSTRUMENT):"
                f" the instrument whose jobs to {action}",
                ExitCode.USAGE,
            )
        inst = resolve_instrument(instrument).name
    target = f"{wid}" if wid else job_id or f"all jobs of {inst}"
    with open_plane(inst, bootstrap, timeout) as plane:
        try:
            if wid is not None or all_jobs:
                # Hear the jobs the services run, so the plane knows whose
                # answers to wait for, and whether there is anything to reach.
                plane.jobs_to_act_on(wid, wait_s=min(timeout, 2.5))
            if wid is not None:
                act = plane.stop_workflow if action == "stop" else plane.reset_workflow
                row = act(wid)
            elif all_jobs:
                row = plane.stop_all() if action == "stop" else plane.reset_all()
            else:
                full = _resolve_job(plane, job_id, action, min(timeout, 6.5))
                act = plane.stop_jobs if action == "stop" else plane.reset_jobs
                row = act([full])
        except NoJobsToActOn:
            report_nothing_to_do(action, target, json, instrument=inst)
        row = _wait(plane, row, timeout, f"{action} {target}")
    report(row, json, instrument=inst, timeout=timeout)


def _instrument_of_job(job_id: str, instrument: str | None, action: str) -> str:
    """``--instrument``, else the one instrument that has the job's source."""
    if instrument is not None:
        return resolve_instrument(instrument).name
    from .workflows import all_specs

    source, sep, _ = job_id.rpartition("/")  # sources may hold "/"
    if not sep:
        import os

        default = os.environ.get("LIVEDATA_INSTRUMENT")
        if default:
            return resolve_instrument(default).name
        fail(
            f"job {action}: a job number without its source needs --instrument",
            ExitCode.USAGE,
        )
    owners = sorted({s.instrument for s in all_specs() if source in s.source_names})
    if len(owners) == 1:
        return owners[0]
    which = (
        f"several instruments have a source {source!r} ({', '.join(owners)})"
        if owners
        else f"no instrument has a source {source!r}"
    )
    fail(f"job {action}: {which}; give --instrument", ExitCode.USAGE)
