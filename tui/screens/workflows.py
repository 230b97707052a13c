"""Workflows: browse the instrument's specs by group; Enter opens the start form."""

from __future__ import annotations

from livedata.control.snapshots import Snapshot

from ..widgets.synced_table import Column
from .base import TableScreen


class WorkflowsScreen(TableScreen):
    view_name = "Workflows"
    default_sort = ("group", False)
    columns = (
        Column("group", "GROUP"),
        Column("instrument", "INSTRUMENT"),
        Column("name", "WORKFLOW"),
        Column("title", "TITLE"),
        Column("sources", "SOURCES"),
        Column("service", "SERVICE"),
        Column("jobs", "JOBS", 5),
    )

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
            for wid, spec in self.console.workflows.items()
        }

    def open_detail(self, key: str) -> None:
        self.console.open_start_form(key)
