"""Workflows: browse the instrument's specs by group; Enter opens the start form,
``x``/``R`` stop or reset every job of the selected workflow (after a yes)."""

from __future__ import annotations

from textual.binding import Binding

from livedata.control.snapshots import Snapshot

from ..messages import ConfirmJobs, OpenStartForm
from ..widgets.synced_table import Column
from .base import TableScreen


class WorkflowsScreen(TableScreen):
    view_name = "Workflows"
    default_sort = ("group", False)
    columns = (
        Column("group", "GROUP", priority=2),
        Column("instrument", "INSTRUMENT", priority=5),
        Column("name", "WORKFLOW", min_width=16),
        Column("title", "TITLE", priority=1, min_width=16),
        Column("sources", "SOURCES", priority=4),
        Column("service", "SERVICE", priority=3),
        Column("jobs", "JOBS", 5),
    )
    BINDINGS = [
        Binding("x", "stop", "Stop jobs", id="workflow.stop"),
        Binding("R", "reset", "Reset jobs", id="workflow.reset"),
    ]

    WRITE_ACTIONS = frozenset({"stop", "reset"})

    def rows(self, snapshot: Snapshot):
        active = {}
        for job in snapshot.jobs:
            if job.state not in ("stopped", "error", "stale"):
                active[job.workflow_id] = active.get(job.workflow_id, 0) + 1
        return {
            wid: (
                spec.group or "-",
                spec.instrument,
                f"{spec.name} v{spec.version}" if spec.version != 1 else spec.name,
                spec.title,
                ", ".join(spec.source_names),
                spec.namespace,
                str(active.get(wid, 0)),
            )
            for wid, spec in self.state.workflows.items()
        }

    def open_detail(self, key: str) -> None:
        self.post_message(OpenStartForm(key))

    def action_stop(self) -> None:
        self._act("stop", "Stop {n} job(s) of {wid}?")

    def action_reset(self) -> None:
        self._act("reset", "Reset (clear accumulated data of) {n} job(s) of {wid}?")

    def _act(self, kind: str, question: str) -> None:
        wid = self.table.selected_key()
        if wid is None:
            return
        jobs = self.state.snapshot.running_jobs(wid)
        if not jobs and not self.state.readonly:
            self.notify(f"{wid} has no running jobs", severity="warning")
            return
        question = question.format(n=len(jobs), wid=wid)
        self.post_message(ConfirmJobs(question, jobs, kind))
