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


def job_columns() -> list[str]:
    return ["STATE", "WORKFLOW", "JOB", "START", "END", "MESSAGE"]


def job_cells(job) -> list[Any]:
    return [
        job.state,
        job.workflow_id,
        job.job_id,
        _time(job.start_time_ns),
        _time(job.end_time_ns),
        job.error
        or job.warning
        or ("restored after a service restart" if job.restored else None),
    ]


def job_table(snapshot) -> Table:
    from .output import to_jsonable

    jobs = sorted(snapshot.jobs, key=lambda j: (j.workflow_id, j.job_id))
    return job_columns(), [job_cells(j) for j in jobs], [to_jsonable(j) for j in jobs]


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
            s.error,
        ]
        for s in services
    ]
    columns = [
        "HEALTH", "SERVICE", "WORKER", "STATE", "UPTIME", "JOBS", "MSG/S", "LAG",
        "AGE", "ERROR",
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
) -> None:
    """Listen ``wait_s`` seconds, print the table; with ``watch`` repeat every
    ``interval_s`` until Ctrl-C (or ``count`` tables)."""
    from .output import emit_json, print_table

    shown = 0
    try:
        time.sleep(wait_s)
        while True:
            columns, rows, documents = table(plane.snapshot())
            if json:
                emit_json(documents, ndjson=watch)
            else:
                if watch:
                    print(f"-- {datetime.now(UTC):%H:%M:%S} UTC", flush=True)
                print_table(columns, rows)
            shown += 1
            if not watch or (count is not None and shown >= count):
                return
            time.sleep(interval_s)
    except KeyboardInterrupt:
        return
