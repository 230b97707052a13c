"""The workflow protocol (B7), matching essreduce's ``StreamProcessor``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from .identifiers import JobId
from .timestamp import Timestamp


class Workflow(Protocol):
    """Consumes preprocessed inputs and produces named outputs.

    ``accumulate`` gets the inputs of one batch keyed by input name: the job's
    source name for primary data, the aux role for auxiliary and context data.
    ``finalize`` returns ``{output_name: scipp.DataArray}`` and does not clear.
    """

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None: ...

    def finalize(self) -> dict[str, Any]: ...

    def clear(self) -> None: ...


def take_dropped_events(workflow: object) -> Mapping[str, int]:
    """The workflow's drops since the last call; ``{}`` if it does not report any.

    Optional for workflows (A11): one that cannot use some events has a
    ``take_dropped_events()`` returning their counts by reason since its last
    call; the job adds them to the service counters after every ``accumulate``.
    """
    take = getattr(workflow, "take_dropped_events", None)
    return take() if callable(take) else {}


def config_warning(workflow: object) -> str | None:
    """What the workflow does in place of something its params ask for; ``None``.

    Optional for workflows: one that accepts a param it cannot honour as given (a
    facility param naming a file livedata does not have, say) and runs with a
    documented substitute has a ``config_warning`` string saying so. The job
    shows it in its heartbeat, like ignored params: a different meaning is never
    silent.
    """
    text = getattr(workflow, "config_warning", None)
    return text if isinstance(text, str) and text else None


@dataclass(frozen=True)
class WorkflowContext:
    """What a factory needs to build one job's workflow."""

    instrument: str
    job_id: JobId
    params: BaseModel | None
    aux_source_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def source_name(self) -> str:
        return self.job_id.source_name


WorkflowFactory = Callable[[WorkflowContext], Workflow]
