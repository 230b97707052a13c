"""The seam between the control plane and its clients (CLI, console, plots).

``ControlPlane`` (livedata/control/plane.py) implements ``ControlApi``. The console
programs against this protocol only; the CLI also uses the plane's one-shot helpers
(``wait_for``, ``stop_workflow``, ``jobs_to_act_on``, ...). Their tests drive
both on a real ControlPlane over the in-memory transport, without Kafka.
Standard library only: imported on every client start-up path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .snapshots import CommandRow, Snapshot

if TYPE_CHECKING:
    from .config_store import StoredConfig


class NoJobsToActOn(ValueError):
    """A stop or reset of a workflow (or of everything) found nothing to reach:
    the services and all their jobs were heard, and none of them runs."""


@runtime_checkable
class ControlApi(Protocol):
    """What a client may read and ask of the control plane, and nothing more."""

    instrument: str

    def snapshot(self) -> Snapshot:
        """The current state; cheap, thread-safe, never blocks on Kafka."""
        ...

    @property
    def version(self) -> int:
        """Grows on every change; equal versions mean nothing to redraw."""
        ...

    def last_config(self, workflow_id: str) -> StoredConfig | None:
        """The workflow's last config (restored or last started), or None: what
        a start form opens with."""
        ...

    def start_job(
        self,
        workflow_id: str,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
        start_time_ns: int | None = None,
        end_time_ns: int | None = None,
        replace: bool = False,
    ) -> CommandRow:
        """Validate against the spec (raises ``ValueError`` with a one-line reason),
        send one WorkflowConfig per source, and track its answers (pending row);
        ``replace``: in place of each source's running job."""
        ...

    def stop_jobs(self, job_ids: Sequence[str]) -> CommandRow: ...

    def reset_jobs(self, job_ids: Sequence[str]) -> CommandRow: ...

    def wait(self, message_id: str, timeout: float) -> CommandRow:
        """Block (not in a UI thread) until the command resolves or times out."""
        ...

    def close(self) -> None: ...
