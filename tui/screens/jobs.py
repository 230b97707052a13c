"""Jobs: state, workflow, source, time range, problems and a trend of one output."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from livedata.control.snapshots import JobRow, ResultRow, Snapshot

from .. import formatting as fmt
from ..messages import ConfirmJobs, CopyText, OpenScreen
from ..widgets.synced_table import Column
from .base import TableScreen
from .detail import RecordScreen

PREFERRED_TREND = ("counts_total", "counts_current", "total_counts", "latest")


def scalar_outputs(snapshot: Snapshot) -> list[str]:
    """Names of 0-d outputs, the preferred ones first: what a trend can show."""
    names = {r.output_name for r in snapshot.results if not r.dims}
    first = [n for n in PREFERRED_TREND if n in names]
    return first + sorted(names - set(first))


def problem(job: JobRow) -> object:
    if job.error:
        return Text(job.error, style="red")
    if job.warning:
        return Text(job.warning, style="yellow")
    return ""


class JobsScreen(TableScreen):
    view_name = "Jobs"
    columns = (
        Column("state", "STATE", 10),
        Column("workflow", "WORKFLOW", min_width=12),
        Column("source", "SOURCE", priority=1),
        Column("job", "JOB", 9),
        Column("start", "START", 8, priority=3),
        Column("end", "END", 8, priority=4),
        Column("problem", "WARNING/ERROR", priority=1, min_width=16),
        Column("trend", "TREND", 18, priority=2),
    )
    BINDINGS = [
        Binding("x", "stop", "Stop", id="job.stop"),
        Binding("R", "reset", "Reset", id="job.reset"),
        Binding("o", "cycle_trend", "Trend output", id="job.trend"),
        Binding("c", "copy_id", "Copy id", id="job.copy"),
    ]

    WRITE_ACTIONS = frozenset({"stop", "reset"})

    def __init__(self) -> None:
        super().__init__()
        self.trend_output: str | None = None

    def rows(self, snapshot: Snapshot):
        outputs = scalar_outputs(snapshot)
        if self.trend_output not in outputs:
            self.trend_output = outputs[0] if outputs else None
        self.table.border_title = f"trend: {self.trend_output or '-'}"
        trends = {
            r.job_id: r.history
            for r in snapshot.results
            if r.output_name == self.trend_output
        }
        return {
            j.job_id: (
                fmt.badge(j.state),
                fmt.short_workflow(j.workflow_id),
                j.source_name,
                j.job_number[:8],
                fmt.timestamp_ns(j.start_time_ns),
                fmt.timestamp_ns(j.end_time_ns),
                problem(j),
                fmt.sparkline(trends.get(j.job_id, ())),
            )
            for j in snapshot.jobs
        }

    def open_detail(self, key: str) -> None:
        self.post_message(OpenScreen(job_detail(key)))

    def action_copy_id(self) -> None:
        key = self.table.selected_key()
        if key is not None:
            self.post_message(CopyText(key, "job id"))

    def action_stop(self) -> None:
        key = self.table.selected_key()
        if key is not None:
            question = f"Stop job {fmt.short_job(key)}?"
            self.post_message(ConfirmJobs(question, [key], "stop"))

    def action_reset(self) -> None:
        key = self.table.selected_key()
        if key is not None:
            question = f"Reset (clear accumulated data of) job {fmt.short_job(key)}?"
            self.post_message(ConfirmJobs(question, [key], "reset"))

    def action_cycle_trend(self) -> None:
        outputs = scalar_outputs(self.state.snapshot)
        if not outputs:
            return
        i = outputs.index(self.trend_output) + 1 if self.trend_output in outputs else 0
        self.trend_output = outputs[i % len(outputs)]
        self.show(self.state.snapshot)


def job_detail(job_id: str) -> RecordScreen:
    """The drill-down of one job: its fields, then one line per output."""

    def find(snapshot: Snapshot):
        return next((j for j in snapshot.jobs if j.job_id == job_id), None)

    def outputs(snapshot: Snapshot, job: object) -> list[tuple[str, object]]:
        return [
            (f"→ {r.output_name}", result_line(r))
            for r in snapshot.results
            if r.job_id == job_id
        ]

    return RecordScreen(f"Job {fmt.short_job(job_id)}", find, outputs)


def result_line(r: ResultRow) -> str:
    shape = "x".join(map(str, r.shape)) or "scalar"
    values = ", ".join(
        f"{k}={fmt.number(v, 3)}"
        for k, v in r.summary.items()
        if isinstance(v, int | float)
    )
    return f"{shape} [{r.unit or ''}] {values}  {fmt.sparkline(r.history)}"
