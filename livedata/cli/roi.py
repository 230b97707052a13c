"""``livedata roi``: a job's regions of interest from a shell or a script (D12).

``set`` replaces all ROIs of a detector-view job (shapes not given are removed)
and waits until the service echoes them back; ``clear`` publishes "no ROI";
``show`` prints the request still on the ROI topic beside the service's
readback. Shapes are checked before anything is connected, and the job (any
unique prefix of its number) must be one the services report and one whose
workflow takes ROIs; otherwise exit 2 with one line and nothing is published.
Exit 0 confirmed, 3 no (matching) readback in time.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    BootstrapOption,
    ExitCode,
    JsonOption,
    fail,
    instrument_option,
    new_app,
)

app = new_app("Regions of interest of detector-view jobs: set, clear, show.")

JobArgument = Annotated[
    str,
    typer.Argument(
        metavar="JOB_ID", help="source/uuid, the uuid, or a unique prefix of it."
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=0.5,
        metavar="SECONDS",
        help="Seconds to wait for the service's readback.",
    ),
]
JobInstrumentOption = Annotated[
    str | None,
    instrument_option(
        "Instrument of the job (else the one instrument with the job's source)."
    ),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0.1,
        metavar="SECONDS",
        help="Seconds to listen for the job's heartbeat (every 2 s).",
    ),
]


@app.command("set")
def set_roi(
    job_id: JobArgument,
    rect: Annotated[
        list[str] | None,
        typer.Option(
            "--rect",
            metavar="X0,X1,Y0,Y1",
            help="A rectangle, x0 < x1 and y0 < y1 (repeat, at most 4).",
        ),
    ] = None,
    polygon: Annotated[
        list[str] | None,
        typer.Option(
            "--polygon",
            metavar="X,Y;X,Y;...",
            help="A polygon of 3 to 1000 vertices (repeat, at most 4).",
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            metavar="UNIT",
            help="Unit of the coordinates (default: the view's screen unit).",
            show_default=False,
        ),
    ] = None,
    timeout: TimeoutOption = 10.0,
    wait_s: WaitOption = 4.0,
    instrument: JobInstrumentOption = None,
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
) -> None:
    """Replace a job's ROIs and wait until the service confirms them.

    Exit 0 confirmed, 3 no matching readback in time, 2 bad shape or job
    (nothing is published), 1 no broker.
    """
    from ..control.roi import RoiError
    from .roi_args import parse_request

    if not rect and not polygon:
        fail("give --rect or --polygon (or use `livedata roi clear`)", ExitCode.USAGE)
    try:
        request = parse_request(rect or [], polygon or [], unit)
    except RoiError as error:
        fail(str(error), ExitCode.USAGE)
    _publish_and_confirm(
        job_id, request, unit is None, timeout, wait_s, instrument, bootstrap, json
    )


@app.command("clear")
def clear_roi(
    job_id: JobArgument,
    timeout: TimeoutOption = 10.0,
    wait_s: WaitOption = 4.0,
    instrument: JobInstrumentOption = None,
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
) -> None:
    """Remove all ROIs of a job ("no ROI") and wait for the service to confirm."""
    from ..control.roi import RoiRequest

    _publish_and_confirm(
        job_id, RoiRequest(), True, timeout, wait_s, instrument, bootstrap, json
    )


@app.command("show")
def show_roi(
    job_id: JobArgument,
    timeout: TimeoutOption = 5.0,
    wait_s: WaitOption = 4.0,
    instrument: JobInstrumentOption = None,
    bootstrap: BootstrapOption = None,
    json: JsonOption = False,
) -> None:
    """The job's ROI request (still on the topic) and the service's readback.

    Exit 0 with a readback, 3 when none arrived in time.
    """
    from .roi_view import print_state

    inst = _instrument(job_id, instrument)
    with _open(inst, bootstrap, wait_s) as plane:
        job, _spec = _job_and_spec(plane, job_id, wait_s)
        tracker = _tracker(job)
        tracker.requested(_request_on_topic(plane, job, timeout))
        plane.wait_for(lambda _: _readback_seen(plane, tracker), timeout)
        state = tracker.state()
    print_state(job.job_id, state, json)
    if state.readback is None:
        raise typer.Exit(int(ExitCode.NO_ACK))


# -- helpers -------------------------------------------------------------------


def _instrument(job_id: str, instrument: str | None) -> str:
    from .common import resolve_instrument

    if instrument is not None:
        return resolve_instrument(instrument).name
    if "/" in job_id:
        from .job import _instrument_of_job

        return _instrument_of_job(job_id, None, "roi")
    fail(
        f"job {job_id!r} names no source: give --instrument (or source/uuid)",
        ExitCode.USAGE,
    )


def _open(instrument: str, bootstrap: str | None, timeout: float):
    from .planes import open_plane

    return open_plane(instrument, bootstrap, timeout, with_data=True)


def _job_and_spec(plane, job_id: str, wait_s: float):
    """The one running job ``job_id`` names, and its spec; exit 2 otherwise."""
    from ..control.job_ids import matching_jobs
    from ..core.identifiers import WorkflowId

    def settled(snap) -> bool:
        # A full id is settled once heard; a prefix once every job the services
        # report has been heard (a second match may still be on its way).
        found = matching_jobs(snap.jobs, job_id)
        exact = len(found) == 1 and job_id in (found[0].job_id, found[0].job_number)
        return exact or (bool(found) and snap.heard_all_jobs())

    plane.wait_for(settled, wait_s)
    found = matching_jobs(plane.snapshot().jobs, job_id)
    if not found:
        fail(
            f"unknown job {job_id!r}: no service reported it in {wait_s:g} s",
            ExitCode.USAGE,
        )
    if len(found) > 1:
        ids = ", ".join(sorted(j.job_id for j in found))
        fail(f"job {job_id!r} is ambiguous: {ids}", ExitCode.USAGE)
    job = found[0]
    if job.state in ("stopped", "stale"):
        fail(f"job {job.job_id} is {job.state}", ExitCode.USAGE)
    spec = plane.registry.spec(WorkflowId.parse_str(job.workflow_id))
    if spec is None or not spec.accepts_roi:
        fail(f"job {job.job_id} ({job.workflow_id}) takes no ROIs", ExitCode.USAGE)
    return job, spec


def screen_unit(spec) -> str | None:
    """The unit the view's readback (and its image axes) are in."""
    template = spec.outputs.get("roi_rectangle")
    return None if template is None else template.coords["x"].unit


def _tracker(job):
    from ..control.roi_readback import RoiReadbackTracker

    return RoiReadbackTracker(job.workflow_id, job.job_id)


def _readback_seen(plane, tracker) -> bool:
    tracker.update_from(plane.data_service)
    return tracker.state().readback is not None


def _confirmed(plane, tracker) -> bool:
    tracker.update_from(plane.data_service)
    return tracker.state().confirmed


def _request_on_topic(plane, job, timeout: float):
    """The job's latest request still on the ROI topic (retention 30 s), or None."""
    from ..control.roi import RoiError, RoiRequest, roi_stream_name

    reader = getattr(plane.transport, "roi_requests", None)
    if reader is None:
        return None
    names = {
        shape: roi_stream_name(job.source_name, job.job_number, shape)
        for shape in ("roi_rectangle", "roi_polygon")
    }
    found = reader(set(names.values()), min(timeout, 5.0))
    if not found:
        return None
    arrays = {s: found[n].value if n in found else None for s, n in names.items()}
    try:
        return RoiRequest.from_dataarrays(
            arrays["roi_rectangle"], arrays["roi_polygon"]
        )
    except RoiError:
        return None


def _publish_and_confirm(
    job_id, request, default_unit, timeout, wait_s, instrument, bootstrap, json
) -> None:
    from ..control.roi import RoiError
    from ..control.roi_publisher import RoiPublisher
    from .roi_view import print_state

    inst = _instrument(job_id, instrument)
    with _open(inst, bootstrap, wait_s) as plane:
        job, spec = _job_and_spec(plane, job_id, wait_s)
        view_unit = screen_unit(spec)
        if default_unit:
            request = type(request)(request.rectangles, request.polygons, view_unit)
        else:
            try:
                request.to(view_unit)
            except RoiError:
                fail(
                    f"--unit {request.unit}: the view of {job.workflow_id} is in"
                    f" {view_unit or 'pixels (no unit)'}",
                    ExitCode.USAGE,
                )
        tracker = _tracker(job)
        tracker.requested(request)
        publisher = RoiPublisher(plane.transport.send, job.source_name, job.job_number)
        try:
            publisher.publish(request)
        except Exception as error:
            fail(f"ROI not sent: {error}")
        plane.wait_for(lambda _: _confirmed(plane, tracker), timeout)
        state = tracker.state()
        seen = next((j for j in plane.snapshot().jobs if j.job_id == job.job_id), job)
    print_state(job.job_id, state, json)
    if not state.confirmed:
        problem = seen.error or seen.warning
        if problem:  # e.g. the service refused the ROI
            typer.echo(f"job {seen.state}: {problem}", err=True)
        raise typer.Exit(int(ExitCode.NO_ACK))
