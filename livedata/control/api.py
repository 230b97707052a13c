"""The seam between the control plane and its clients (CLI, console, plots).

``ControlPlane`` (livedata/control/plane.py) implements ``ControlApi``; the console
and the CLI program against this protocol only, so their tests can drive them with
an in-memory control plane (a real ControlPlane on the in-memory transport) and
never import Kafka. Standard library only: imported on every client start-up path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .snapshots import CommandRow, Snapshot


class ControlApi(Protocol):
    instrument: str

    def snapshot(self) -> Snapshot:
        """The current state; cheap, thread-safe, never blocks on Kafka."""
        ...

    @property
    def version(self) -> int:
        """Grows on every change; equal versions mean nothing to redraw."""
        ...

    def start_job(
        self,
        workflow_id: str,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
        start_time_ns: int | None = None,
        end_time_ns: int | None = None,
    ) -> CommandRow:
        """Validate against the spec (raises ``ValueError`` with a one-line reason),
        send one WorkflowConfig per source, and track its answers (pending row)."""
        ...

    def stop_jobs(self, job_ids: Sequence[str]) -> CommandRow: ...

    def reset_jobs(self, job_ids: Sequence[str]) -> CommandRow: ...

    def wait(self, message_id: str, timeout: float) -> CommandRow:
        """Block (not in a UI thread) until the command resolves or times out."""
        ...

    def close(self) -> None: ...
