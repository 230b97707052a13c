"""Tables of services and jobs from control-plane snapshots (``services status``,
``job list``), once or continuously with ``--watch`` (NDJSON with ``--json``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

Table = tuple[Sequence[str], list[Sequence[Any]], list[dict[str, Any]]]


def _time(ns: int | None) -> str | None:
    if ns is None:
        return None
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


UNHEALTHY_JOB_STATES = frozenset({"error", "warning", "stale"})


def job_message(job) -> str | None:
    """The job's own error or warning, else its service's warning, else a note
    that it was restored after a service restart."""
    own = job.error or job.warning
    if own:
        return own
    if job.service_warning:
        return f"service: {job.service_warning}"
    return "restored after a service restart" if job.restored else None


def job_columns() -> list[str]:
    return ["STATE", "WORKFLOW", "JOB", "AGE", "START", "END", "MESSAGE"]


def job_cells(job) -> list[Any]:
    return [
        job.state,
        job.workflow_id,
        job.job_id,
        f"{job.age_s:.0f}s",
        _time(job.start_time_ns),
        _time(job.end_time_ns),
        job_message(job),
    ]


def services_unhealthy(snapshot) -> bool:
    """Something an operator must look at: exit 6 of ``services status``."""
    from ..control.health import UNHEALTHY

    return any(
        s.health in UNHEALTHY and s.replaced_by is None for s in snapshot.services
    )


def jobs_unhealthy(snapshot) -> bool:
    """A job in error, warning or stale, or on a service that is not OK."""
    return any(
        j.state in UNHEALTHY_JOB_STATES or (j.service_warning and j.state != "stopped")
        for j in snapshot.jobs
    )


def job_table(snapshot) -> Table:
    from .output import to_jsonable

    jobs = sorted(snapshot.jobs, key=lambda j: (j.workflow_id, j.job_id))
    return job_columns(), [job_cells(j) for j in jobs], [to_jsonable(j) for j in jobs]


def _reason(service) -> str | None:
    if service.replaced_by:
        return f"replaced by {service.replaced_by.rpartition(':')[2][:8]}"
    return service.reason


def service_table(snapshot) -> Table:
    from .output import to_jsonable

    now_ns = time.time_ns()
    services = sorted(snapshot.services, key=lambda s: s.service_id)
    rows = [
        [
            s.health.value,
            s.service_name,
            s.worker_id[:8],
            s.state,
            _duration((now_ns - s.started_at_ns) / 1e9),
            s.job_count,
            None if s.messages_per_s is None else f"{s.messages_per_s:.1f}",
            s.consumer_lag,
            f"{s.age_s:.1f}s",
            _reason(s),
        ]
        for s in services
    ]
    columns = [
        "HEALTH", "SERVICE", "WORKER", "STATE", "UPTIME", "JOBS", "MSG/S", "LAG",
        "AGE", "REASON",
    ]  # fmt: skip
    return columns, rows, [to_jsonable(s) for s in services]


def watch_snapshots(
    plane,
    wait_s: float,
    watch: bool,
    json: bool,
    table: Callable[[Any], Table],
    interval_s: float = 2.0,
    count: int | None = None,
):
    """Listen ``wait_s`` seconds, print the table; with ``watch`` repeat every
    ``interval_s`` until Ctrl-C (or ``count`` tables). Returns the last snapshot
    shown (None if interrupted before the first)."""
    from .output import emit_json, print_table

    shown = 0
    last = None
    try:
        time.sleep(wait_s)
        while True:
            last = plane.snapshot()
            columns, rows, documents = table(last)
            if json:
                emit_json(documents, ndjson=watch)
            else:
                if watch:
                    print(f"-- {datetime.now(UTC):%H:%M:%S} UTC", flush=True)
                print_table(columns, rows)
            shown += 1
            if not watch or (count is not None and shown >= count):
                return last
            time.sleep(interval_s)
    except KeyboardInterrupt:
        return last
