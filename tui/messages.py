"""How screens and the console app talk: requests up, state down.

A screen never calls the app: it posts one of the ``Request`` messages below,
which bubbles to ``LivedataApp`` (the only handler), and reads what it shows
from the ``ConsoleState`` the app hands it at every render. ``REQUESTS`` is the
whole list of what a screen may ask for; a test holds screens to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.screen import Screen

from livedata.control.snapshots import ResultRow, Snapshot


@dataclass(frozen=True)
class ConsoleState:
    """What a screen is told at each render (state down)."""

    snapshot: Snapshot
    # Workflow specs by id, as the console was started with.
    workflows: Mapping[str, Any] = field(default_factory=dict)
    # Until the first render a screen assumes it may send nothing.
    readonly: bool = True
    now: float = 0.0  # the console's monotonic clock at this render
    wall_ns: int = 0  # and its wall clock, for times the services stamped


NO_STATE = ConsoleState(Snapshot(version=0))


class Request(Message):
    """Something a screen asks the app to do; it bubbles up to the app."""


class RenderNow(Request):
    """Render the visible screen now (it just came into view)."""


class GoBack(Request):
    """Leave a drill-down, form or view for the one it came from."""


class CloseCommandLine(Request):
    """Close the ``:`` command line without running it."""


class OpenScreen(Request):
    """Show a drill-down screen (a record or a result) on top of this one."""

    def __init__(self, view: Screen) -> None:
        super().__init__()
        self.view = view


class OpenPlot(Request):
    """Show the plot server's URL (starting it if need be), of one result's
    plot when ``result`` is given."""

    def __init__(self, result: ResultRow | None = None) -> None:
        super().__init__()
        self.result = result


class OpenStartForm(Request):
    """Open the start form of a workflow (an id or a unique part of one)."""

    def __init__(self, workflow_ref: str) -> None:
        super().__init__()
        self.workflow_ref = workflow_ref


class StartJob(Request):
    """Send a start of ``workflow_id`` on ``source_names`` (off the UI thread)."""

    def __init__(
        self,
        workflow_id: str,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None,
        aux_source_names: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.workflow_id = workflow_id
        self.source_names = tuple(source_names)
        self.params = params
        self.aux_source_names = aux_source_names


class ConfirmJobs(Request):
    """Ask ``question``, then stop or reset ``job_ids`` (``kind``)."""

    def __init__(self, question: str, job_ids: Sequence[str], kind: str) -> None:
        super().__init__()
        if kind not in ("stop", "reset"):
            raise ValueError(f"kind must be 'stop' or 'reset', not {kind!r}")
        self.question = question
        self.job_ids = tuple(job_ids)
        self.kind = kind


class CopyText(Request):
    """Put ``text`` on the operator's clipboard (OSC 52: also over SSH) and say
    what was copied (``what``, e.g. "job id")."""

    def __init__(self, text: str, what: str) -> None:
        super().__init__()
        self.text = text
        self.what = what


REQUESTS: tuple[type[Request], ...] = (
    RenderNow,
    GoBack,
    CloseCommandLine,
    OpenScreen,
    OpenStartForm,
    StartJob,
    ConfirmJobs,
    OpenPlot,
    CopyText,
)
