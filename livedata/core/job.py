"""One job: a workflow plus routing, schedule and lifecycle (B5, B6, A11).

A job is driven by data time only: the batches it is shown decide when it
activates and when it finishes, so replaying old data behaves like live data.
The exception is a job with no data input (B6): nothing would ever drive it, so
the processor asks it each cycle whether it is due and hands it the wall clock.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .commands import JobSchedule
from .identifiers import JobId, WorkflowId
from .metrics import Counters
from .status import JobState, JobStatus
from .stream import StreamId
from .timestamp import Timestamp
from .workflow import Workflow, take_dropped_events

logger = logging.getLogger(__name__)

PAUSED_WARNING = "paused"
# Windows of primary data held while required context is missing.
HELD_PRIMARY_WINDOWS = 3


def event_count(value: Any) -> int:
    """Events in a held input: binned scipp data (NXevent_data), event chunks
    (``len``) or anything else (one)."""
    bins = getattr(value, "bins", None)
    if bins is not None:
        return int(bins.size().sum().value)
    try:
        return len(value)
    except TypeError:
        return 1


@dataclass(frozen=True)
class JobResult:
    """Outputs of one finalize of one job, with the data window they cover."""

    job_id: JobId
    workflow_id: WorkflowId
    start_time: Timestamp
    end_time: Timestamp
    outputs: dict[str, Any] = field(default_factory=dict)


class Phase(StrEnum):
    """The main line of the lifecycle; side states are derived in ``state``."""

    SCHEDULED = "scheduled"
    ACTIVE = "active"
    FINISHING = "finishing"
    STOPPED = "stopped"


def one_line_error(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


class Job:
    """Feeds one workflow the inputs it subscribes to and tracks its state.

    ``inputs`` maps stream name -> input key (the source name for the primary
    stream, the role for aux streams). ``required_keys`` are input keys that must
    deliver a value before the job does anything (``pending_context``); their
    values, and those of other aux inputs, are held back until then so none is
    lost. Primary data is held too, for the last ``HELD_PRIMARY_WINDOWS``
    windows, and replayed in order when the context arrives; older windows are
    dropped, counted as ``dropped_events:<source>:pending_context`` and named in
    the job's warning. Events a workflow reports as dropped are counted as
    ``dropped_events:<source>:<reason>``.

    A job with ``data_input=False`` reads no primary stream (its source name
    is a label): it is due to compute when it starts and after a reset, and
    when an aux input brings a value; :meth:`publish_if_due` computes then,
    stamped with the wall-clock time the caller gives. Stopping it publishes
    nothing more (its result has not changed).
    """

    def __init__(
        self,
        *,
        job_id: JobId,
        workflow_id: WorkflowId,
        workflow: Workflow,
        inputs: Mapping[str, str],
        schedule: JobSchedule | None = None,
        required_keys: frozenset[str] = frozenset(),
        counters: Counters | None = None,
        config_warning: str | None = None,
        ignored_params: tuple[str, ...] = (),
        data_input: bool = True,
    ) -> None:
        self.job_id = job_id
        self.data_input = data_input
        # A job without data input computes when started, reset or fed context.
        self._due = not data_input
        # About the config, not the data (e.g. params it ignored): shown in the
        # heartbeat while nothing more pressing is, without degrading the state.
        self.config_warning = config_warning
        # The params fields the config had and the model does not know (ignored).
        self.ignored_params = tuple(ignored_params)
        self.workflow_id = workflow_id
        self.schedule = schedule or JobSchedule()
        self.inputs: dict[str, str] = dict(inputs)
        self._workflow = workflow
        self._counters = counters or Counters()
        self._missing_context = set(required_keys)
        self._held_context: dict[str, Any] = {}
        # (start, end, value) of primary data that came before required context.
        self._held_primary: deque[tuple[Timestamp, Timestamp, Any]] = deque()
        self._phase = Phase.SCHEDULED
        # Started again from the commands topic after a service restart (G5).
        self.restored = False
        self._paused = False
        self._warning: str | None = None
        # Sticky until reset: something about the inputs the operator must know.
        self._input_warning: str | None = None
        self._error: str | None = None
        self._window_start: Timestamp | None = None
        self._window_end: Timestamp | None = None

    @property
    def primary_stream(self) -> str:
        return self.job_id.source_name

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def has_data(self) -> bool:
        """Whether primary data was accumulated since the start or the last reset."""
        return self._window_start is not None

    @property
    def state(self) -> JobState:
        if self._phase is Phase.STOPPED:
            return JobState.STOPPED
        if self._error is not None:
            return JobState.ERROR
        if self._paused:
            return JobState.WARNING
        if self._phase is Phase.SCHEDULED:
            return JobState.SCHEDULED
        if self._missing_context:
            return JobState.PENDING_CONTEXT
        if self._warning is not None or self._input_warning is not None:
            return JobState.WARNING
        return JobState(self._phase.value)

    def status(self) -> JobStatus:
        """Heartbeat view; times are the data window, else the schedule."""
        start = self._window_start.ns if self._window_start else None
        end = self._window_end.ns if self._window_end else None
        return JobStatus(
            state=self.state,
            warning=PAUSED_WARNING
            if self._paused
            else (self._warning or self._input_warning or self.config_warning),
            error=self._error,
            job_id=self.job_id,
            workflow_id=str(self.workflow_id),
            restored=self.restored,
            start_time=start if start is not None else self.schedule.start_time,
            end_time=self.schedule.end_time
            if self.schedule.end_time is not None
            else end,
        )

    # -- commands ---------------------------------------------------------

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    def reset(self) -> None:
        """Forget accumulated data (the workflow's, and this job's data window)."""
        self._workflow.clear()
        self._held_primary.clear()
        self._window_start = None
        self._window_end = None
        self._warning = None
        self._input_warning = None
        self._error = None
        self._due = not self.data_input

    def note_input_problem(self, text: str) -> None:
        """Warn (until reset) about inputs, e.g. non-finite values masked."""
        self._input_warning = text

    def stop(self) -> None:
        """Ask for one final result; the manager calls ``finish`` to compute it."""
        if self._phase is not Phase.STOPPED:
            self._phase = Phase.FINISHING

    # -- data -------------------------------------------------------------

    def process_batch(
        self,
        start_time: Timestamp,
        end_time: Timestamp,
        data: Mapping[StreamId, Any],
    ) -> JobResult | None:
        """Advance by data time, accumulate, and finalize if primary data came (B6).

        ``data`` is keyed by stream; the job subscribes by name. Streams of
        different kinds that share a name (a monitor sending events and
        histograms) are handed to the workflow in consecutive ``accumulate``
        calls, so neither is lost.
        """
        self._advance(start_time, end_time)
        if self._phase is Phase.FINISHING:
            return self.finish()
        if self._phase is not Phase.ACTIVE or self._paused:
            return None
        groups = self._input_groups(data)
        if not groups:
            return None
        windows = [(group, start_time, end_time) for group in groups]
        if self._missing_context:
            for group in groups:
                self._hold_context(group)
            if self._missing_context:
                self._hold_primary(groups, start_time, end_time)
                return None
            windows = self._with_held_inputs(groups, start_time, end_time)
        got_primary = False
        for group, start, end in windows:
            primary = self.primary_stream in group and self.data_input
            got_primary |= primary
            self._accumulate(group, start, end, primary=primary)
        if not self.data_input:
            self._due = True  # new context: compute again (publish_if_due)
            return None
        return self._finalize() if got_primary else None

    def publish_if_due(self, now: Timestamp) -> JobResult | None:
        """For a job without data input: compute and publish if it is due
        (started, reset or new context) and neither paused nor stopping.

        The result's window is ``now`` (the wall clock: there is no data time).
        A failure shows as the job's error until the next reset."""
        if self.data_input or not self._due or self._paused:
            return None
        if self._missing_context:
            return None
        if self._phase is Phase.SCHEDULED:
            self._phase = Phase.ACTIVE
        if self._phase is not Phase.ACTIVE:
            return None
        self._due = False
        self._window_start = now
        self._window_end = now
        return self._finalize()

    def _hold_primary(
        self, groups: list[dict[str, Any]], start: Timestamp, end: Timestamp
    ) -> None:
        """Keep this batch's primary data (bounded) until the context arrives."""
        for group in groups:
            if self.primary_stream in group:
                self._held_primary.append((start, end, group[self.primary_stream]))
        while len(self._held_primary) > HELD_PRIMARY_WINDOWS:
            _, _, value = self._held_primary.popleft()
            lost = event_count(value)
            self._counters.increment(
                f"dropped_events:{self.primary_stream}:pending_context", lost
            )
            waiting = ", ".join(sorted(self._missing_context))
            self._warning = (
                f"{lost} events of {self.primary_stream} dropped: waiting for "
                f"required input {waiting} (holding {HELD_PRIMARY_WINDOWS} windows)"
            )
            logger.warning("job %s: %s", self.job_id, self._warning)

    def _with_held_inputs(
        self, groups: list[dict[str, Any]], start: Timestamp, end: Timestamp
    ) -> list[tuple[dict[str, Any], Timestamp, Timestamp]]:
        """The context is complete: held primary windows first (oldest first), all
        context with the first of them; then this batch's groups."""
        present = {key for group in groups for key in group}
        earlier = {k: v for k, v in self._held_context.items() if k not in present}
        self._held_context = {}
        context = {**earlier}
        for group in groups:
            for key in [k for k in group if k != self.primary_stream]:
                if key not in context:  # a second value stays in its group
                    context[key] = group.pop(key)
        windows = [({self.primary_stream: v}, s, e) for s, e, v in self._held_primary]
        self._held_primary.clear()
        windows += [(group, start, end) for group in groups if group]
        if windows:
            first, s, e = windows[0]
            windows[0] = ({**context, **first}, s, e)
        elif context:
            windows = [(context, start, end)]
        return windows

    def _input_groups(self, data: Mapping[StreamId, Any]) -> list[dict[str, Any]]:
        """The job's inputs by input key; a second value for a key opens a group."""
        groups: list[dict[str, Any]] = []
        for stream, value in data.items():
            key = self.inputs.get(stream.name)
            if key is None:
                continue
            for group in groups:
                if key not in group:
                    group[key] = value
                    break
            else:
                groups.append({key: value})
        return groups

    def finish(self) -> JobResult | None:
        """Compute the final result (if there is data) and stop."""
        result = None
        if self.data_input and self.has_data and not self._missing_context:
            result = self._finalize()
        self._phase = Phase.STOPPED
        return result

    def _advance(self, start_time: Timestamp, end_time: Timestamp) -> None:
        start, end = self.schedule.start_time, self.schedule.end_time
        if self._phase is Phase.SCHEDULED and (start is None or end_time.ns > start):
            self._phase = Phase.ACTIVE
        if self._phase is Phase.ACTIVE and end is not None and start_time.ns >= end:
            self._phase = Phase.FINISHING

    def _hold_context(self, inputs: Mapping[str, Any]) -> None:
        for key, value in inputs.items():
            if key != self.primary_stream:
                self._held_context[key] = value
                self._missing_context.discard(key)

    def _accumulate(
        self,
        inputs: Mapping[str, Any],
        start_time: Timestamp,
        end_time: Timestamp,
        *,
        primary: bool,
    ) -> None:
        try:
            self._workflow.accumulate(inputs, start_time=start_time, end_time=end_time)
        except Exception as error:  # a workflow bug or bad data must not stop others
            self._warning = one_line_error(error)
            self._counters.increment("accumulate_errors")
            logger.warning("job %s: accumulate failed: %s", self.job_id, self._warning)
        else:
            self._warning = None
        self._count_dropped_events()
        if primary:
            if self._window_start is None:
                self._window_start = start_time
            self._window_end = end_time

    def _count_dropped_events(self) -> None:
        """Move the workflow's drop counts into the service counters (A11)."""
        try:
            drops = take_dropped_events(self._workflow)
        except Exception as error:
            self._counters.increment("drop_count_errors")
            logger.warning("job %s: reading drop counts failed: %r", self.job_id, error)
            return
        for reason, count in drops.items():
            if count:
                self._counters.increment(
                    f"dropped_events:{self.primary_stream}:{reason}", int(count)
                )

    def _finalize(self) -> JobResult | None:
        try:
            outputs = self._workflow.finalize()
        except Exception as error:  # retried with the next primary data
            self._error = one_line_error(error)
            self._counters.increment("finalize_errors")
            logger.warning("job %s: finalize failed: %s", self.job_id, self._error)
            return None
        self._error = None
        if self._window_start is None or self._window_end is None:
            return None
        return JobResult(
            job_id=self.job_id,
            workflow_id=self.workflow_id,
            start_time=self._window_start,
            end_time=self._window_end,
            outputs=dict(outputs),
        )
