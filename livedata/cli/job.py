"""``livedata job``: start, stop, reset and watch jobs from a shell or a script.

Everything is validated against the workflow spec before anything is published
(exit 2 listing the valid choices); then the command waits for every expected
answer and exits with a code a script can branch on (0 ACK, 3 no answer in
time, 4 ERR, 5 partial). Imports stay inside the functions (start-up speed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    BootstrapOption,
    ExitCode,
    InstrumentOption,
    JsonOption,
    OptionalInstrumentOption,
    WatchOption,
    fail,
    new_app,
)

app = new_app("Start, stop, reset and list jobs.")

TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", help="Seconds to wait for the acknowledgements."),
]


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
            help="Workflow id: inst/name[/version], or name with --instrument.",
            autocompletion=_complete_workflow,
        ),
    ],
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Source name (repeat); default: all."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="key=value (dotted keys for nested)."),
    ] = None,
    params_file: Annotated[
        Path | None,
        typer.Option("--params-file", help="YAML or JSON file of params."),
    ] = None,
    aux: Annotated[
        list[str] | None,
        typer.Option("--aux", help="role=stream for an auxiliary input (repeat)."),
    ] = None,
    start_at: Annotated[
        str | None,
        typer.Option("--start", help="Data time to start at (ISO 8601 or 'now')."),
    ] = None,
    end_at: Annotated[
        str | None,
        typer.Option("--end", help="Data time to end at (ISO 8601 or 'now')."),
    ] = None,
    timeout: TimeoutOption = 10.0,
    instrument: OptionalInstrumentOption = None,
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
) -> None:
    """Start a job per source and wait until every owning service acknowledged."""
    from .job_args import parse_assignments, parse_time, read_params_file
    from .workflows import resolve_workflow

    spec = resolve_workflow(workflow, instrument)
    try:
        params = {
            **read_params_file(params_file),
            **parse_assignments(param or [], "--param", typed=True),
        }
        aux_names = parse_assignments(aux or [], "--aux", typed=False)
        start_ns, end_ns = parse_time(start_at), parse_time(end_at)
    except ValueError as err:
        fail(str(err), ExitCode.USAGE)
    sources = list(source or spec.source_names)
    validate_offline(spec, sources, params, aux_names)
    with _plane(spec.instrument, bootstrap, timeout, with_status=False) as plane:
        row = plane.start_job(
            str(spec.workflow_id), sources, params, aux_names, start_ns, end_ns
        )
        row = _wait(plane, row, timeout, f"starting {spec.workflow_id}")
    _report(row, json)


def _action_command(action: str, doc: str):
    """``job stop`` and ``job reset`` take the same selection of jobs."""

    def command(
        job_id: Annotated[
            str | None, typer.Argument(help="JOB_ID (source/uuid).")
        ] = None,
        workflow: Annotated[
            str | None,
            typer.Option("--workflow", "-w", help="Every job of this workflow."),
        ] = None,
        all_jobs: Annotated[bool, typer.Option("--all", help="Every job.")] = False,
        timeout: TimeoutOption = 10.0,
        instrument: OptionalInstrumentOption = None,
        bootstrap: BootstrapOption = None,
        json: JsonOption = False,
    ) -> None:
        _act(action, job_id, workflow, all_jobs, timeout, instrument, bootstrap, json)

    command.__doc__ = doc
    return command


app.command("stop")(
    _action_command(
        "stop", "Stop jobs: the last results are published, then they finish."
    )
)
app.command("reset")(
    _action_command("reset", "Reset jobs: clear what they accumulated and carry on.")
)


@app.command("list")
def list_jobs(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
    watch: WatchOption = False,
    wait_s: Annotated[
        float,
        typer.Option("--wait", help="Seconds to listen for heartbeats (every 2 s)."),
    ] = 2.5,
) -> None:
    """Jobs the services report in their heartbeats."""
    from .status_views import job_table, watch_snapshots

    with _plane(instrument, bootstrap, wait_s) as plane:
        watch_snapshots(plane, wait_s, watch, json, job_table)


@app.command("status")
def status(
    job_id: Annotated[str, typer.Argument(help="JOB_ID (source/uuid).")],
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
    wait_s: Annotated[
        float,
        typer.Option("--wait", help="Seconds to listen for its heartbeat."),
    ] = 4.0,
) -> None:
    """State, times and messages of one job (exit 1 if it is not seen)."""
    from .output import emit_json, print_table
    from .status_views import job_cells, job_columns

    with _plane(instrument, bootstrap, wait_s) as plane:
        row = plane.wait_for(lambda snap: _find_job(snap, job_id) is not None, wait_s)
        found = _find_job(plane.snapshot(), job_id)
    del row
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


def _plane(
    instrument: str,
    bootstrap: str | None,
    timeout: float,
    *,
    with_status: bool = True,
):
    """A started control plane on Kafka; exit 1 in one line if unreachable.

    ``with_status=False`` skips the heartbeats: starting a job needs only the
    acknowledgements (JSON), and not decoding x5f2 saves its import.
    """
    from ..control.plane import connect
    from ..kafka.admin import BrokerUnreachable, check_reachable
    from ..kafka.consumer import TopicsNotFound
    from .common import kafka_settings

    settings = kafka_settings(bootstrap)
    address = settings.pop("bootstrap.servers")
    try:
        check_reachable(address, settings, timeout=min(max(timeout, 1.0), 5.0))
        return connect(
            instrument,
            address,
            client_config=settings,
            with_status=with_status,
            persist=False,
            command_timeout_s=timeout,
            # Short polls: closing waits for the pump's current poll to end.
            poll_timeout_s=0.02,
        )
    except BrokerUnreachable as err:
        fail(str(err))
    except TopicsNotFound as err:
        fail(f"{err} (create them with `livedata kafka topics create`)")


def _wait(plane, row, timeout: float, what: str):
    import sys

    # A spinner only on a terminal; checked first, as importing Rich costs
    # ~0.15 s of the start-stop time that scripts pay on every call.
    if not sys.stderr.isatty():
        return plane.wait(row.message_id, timeout)
    from .output import make_console

    with make_console(stderr=True).status(f"{what}: waiting for acknowledgements"):
        return plane.wait(row.message_id, timeout)


_EXIT = {"ACK": ExitCode.OK, "timeout": ExitCode.NO_ACK, "ERR": ExitCode.ERR}


def _report(row, json: bool) -> None:
    """Job ids (or the JSON document) on stdout, the outcome on stderr."""
    from .output import emit_json, progress

    outcome = row.outcome.value
    if json:
        emit_json(
            {
                "outcome": outcome,
                "message_id": row.message_id,
                "summary": row.summary,
                "job_ids": list(row.job_ids),
                "answers": [
                    {"device": d, "response": r, "message": m}
                    for d, r, m in row.answers
                ],
            }
        )
    else:
        for job in _acknowledged_jobs(row):
            typer.echo(job)
        for device, response, message in row.answers:
            if response != "ACK":
                progress(f"{device}: {response} {message or ''}".rstrip())
        progress(f"{row.summary}: {outcome}")
    raise typer.Exit(int(_EXIT.get(outcome, ExitCode.PARTIAL)))


def _acknowledged_jobs(row) -> list[str]:
    """Job ids a service said ACK for: a script must not take a rejected or
    unanswered start for a running job. A start is answered per source, a stop
    or reset per job."""
    acked = {device for device, response, _ in row.answers if response == "ACK"}
    return [j for j in row.job_ids if j in acked or j.rpartition("/")[0] in acked]


def _find_job(snapshot, job_id: str):
    for job in snapshot.jobs:
        if job.job_id == job_id or job.job_number == job_id:
            return job
    return None


def _act(action, job_id, workflow, all_jobs, timeout, instrument, bootstrap, json):
    chosen = [x for x in (job_id, workflow, all_jobs or None) if x]
    if len(chosen) != 1:
        fail("give exactly one of JOB_ID, --workflow or --all", ExitCode.USAGE)
    inst = instrument
    wid = namespace = None
    if workflow:
        from .workflows import resolve_workflow

        spec = resolve_workflow(workflow, instrument)
        inst, wid, namespace = spec.instrument, str(spec.workflow_id), spec.namespace
    elif job_id and not _is_job_id(job_id):
        fail(f"bad job id {job_id!r}: expected source/uuid", ExitCode.USAGE)
    with _plane(inst or "dummy", bootstrap, timeout) as plane:
        if job_id is None:
            # Hear the jobs the services run, so the plane knows whose answers
            # to wait for (a named job answers under its own id: no need).
            plane.wait_for(lambda snap: _heard_jobs(snap, namespace), min(timeout, 2.5))
        if wid is not None:
            method = plane.stop_workflow if action == "stop" else plane.reset_workflow
            row = method(wid)
        elif all_jobs:
            row = plane.stop_all() if action == "stop" else _reset_all(plane)
        else:
            method = plane.stop_jobs if action == "stop" else plane.reset_jobs
            row = method([job_id])
        row = _wait(plane, row, timeout, f"{action} {job_id or wid or 'all'}")
    _report(row, json)


def _heard_jobs(snapshot, namespace: str | None) -> bool:
    """A heartbeat of a service (of ``namespace``) and of every job it reports.

    A service's status and its jobs' statuses can arrive in different polls;
    acting between them would broadcast to unknown jobs and wait out the timeout.
    """
    services = {
        s.service_id: s.job_count
        for s in snapshot.services
        if namespace is None or s.service_name == namespace
    }
    if not services:
        return False
    running = sum(
        1 for j in snapshot.jobs if j.service_id in services and j.state != "stopped"
    )
    return running >= sum(services.values())


def _is_job_id(text: str) -> bool:
    """Checked before connecting: a bad id must exit 2, not raise after connecting."""
    from pydantic import ValidationError

    from ..core.identifiers import JobId

    try:
        JobId.model_validate(text)
    except ValidationError:
        return False
    return True


def _reset_all(plane):
    from ..core.commands import JobAction

    return plane.orchestrator.act_on_all(JobAction.RESET)
