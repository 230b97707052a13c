"""The jobs of one service: commands in, acknowledgements and results out (B9, B10).

Every service sees every command (broadcast, C4); commands for workflows of
another instrument or namespace are not ours and get no answer, so that the
owning service's answer is the only one a client receives. A workflow id of
this instrument that no service implements is answered by one designated
service (``answers_unknown``) with ERR, so no sender waits out its timeout.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .commands import (
    CommandAcknowledgement,
    JobAction,
    JobCommand,
    Response,
    UnreadableCommand,
    WorkflowConfig,
)
from .identifiers import JobId, WorkflowId
from .job import Job, JobResult, Phase, one_line_error
from .job_builder import JobConfigError, build_job
from .metrics import Counters
from .status import JobStatus
from .stream import StreamId
from .timestamp import Timestamp
from .validation import validation_problems
from .workflow_spec import WorkflowRegistry

logger = logging.getLogger(__name__)

ANSWERS_REMEMBERED = 10_000  # message ids whose answers are kept for repeats


class JobManager:
    """Creates, commands and runs the jobs of the workflows in one namespace."""

    def __init__(
        self,
        instrument: str,
        namespace: str,
        registry: WorkflowRegistry,
        counters: Counters | None = None,
        *,
        answers_unknown: bool = False,
    ) -> None:
        self.instrument = instrument
        self.namespace = namespace
        self._registry = registry
        self._answers_unknown = answers_unknown
        self._counters = counters or Counters()
        self._jobs: dict[JobId, Job] = {}
        # Jobs replaced by a new config of the same job id: they still owe a
        # final result and one ``stopped`` status.
        self._replaced: list[Job] = []
        # message id -> the answers given, so a repeated command (a client's
        # retry, a duplicated record) is answered again, not executed again.
        self._answered: OrderedDict[tuple[str, str], list[CommandAcknowledgement]] = (
            OrderedDict()
        )

    @property
    def active_job_count(self) -> int:
        """Jobs that are not stopped (scheduled, paused and failing ones count)."""
        return sum(job.phase is not Phase.STOPPED for job in self._all_jobs())

    @property
    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def _all_jobs(self) -> list[Job]:
        return [*self._replaced, *self._jobs.values()]

    # -- commands ---------------------------------------------------------

    def handle_command(
        self, command: WorkflowConfig | JobCommand | UnreadableCommand
    ) -> list[CommandAcknowledgement]:
        """Execute a command once; a repeat (same message id and content) gets
        the same answers again."""
        key = _repeat_key(command)
        if key in self._answered:
            self._counters.increment("commands_repeated")
            logger.info("command %s seen before: answered again", command.message_id)
            return list(self._answered[key])
        answers = self._execute(command)
        self._answered[key] = answers
        while len(self._answered) > ANSWERS_REMEMBERED:
            self._answered.popitem(last=False)
        return answers

    def _execute(
        self, command: WorkflowConfig | JobCommand | UnreadableCommand
    ) -> list[CommandAcknowledgement]:
        if isinstance(command, WorkflowConfig):
            return self._handle_config(command)
        if isinstance(command, UnreadableCommand):
            return self._handle_unreadable(command)
        return self._handle_job_command(command)

    def _handle_unreadable(
        self, command: UnreadableCommand
    ) -> list[CommandAcknowledgement]:
        """ERR from the owner of the workflow it names; silence from the rest."""
        named = command.workflow_id
        spec = None
        if named is not None and named.instrument == self.instrument:
            spec = self._registry.spec(named)
        if spec is None and self._is_unknown_here(named):
            return [self._unknown(command.message_id, command.source_name, named)]
        if spec is None or spec.namespace != self.namespace:
            self._counters.increment("commands_ignored")
            return []
        self._counters.increment("commands_rejected")
        logger.warning("rejected command %s: %s", command.message_id, command.reason)
        device = command.source_name or "all"
        return [_answer(command.message_id, device, Response.ERR, command.reason)]

    def _handle_config(self, config: WorkflowConfig) -> list[CommandAcknowledgement]:
        spec = None
        if config.identifier.instrument == self.instrument:
            spec = self._registry.spec(config.identifier)
        if spec is None and self._is_unknown_here(config.identifier):
            source = config.job_id.source_name
            return [self._unknown(config.message_id, source, config.identifier)]
        if spec is None or spec.namespace != self.namespace:
            self._counters.increment("commands_ignored")
            return []
        device = config.job_id.source_name
        try:
            factory = self._registry.get_factory(spec.workflow_id)
            job = build_job(spec, config, factory, self._counters)
        except Exception as error:  # any reason becomes the ERR's message
            reason = _reason(error)
            self._counters.increment("commands_rejected")
            logger.warning("rejected config for %s: %s", config.job_id, reason)
            return [_answer(config.message_id, device, Response.ERR, reason)]
        old = self._jobs.get(config.job_id)
        if old is not None:
            # It finishes like a stopped job: final result, then ``stopped``.
            if old.phase is not Phase.STOPPED:
                self._counters.increment("jobs_replaced")
            old.stop()
            self._replaced.append(old)
        self._jobs[config.job_id] = job
        if job.ignored_params:
            self._counters.increment("params_fields_ignored")
        if job.config_warning is not None:
            logger.warning("job %s: %s", config.job_id, job.config_warning)
        logger.info(
            "%s job %s of %s",
            "replaced" if old is not None else "started",
            config.job_id,
            spec.workflow_id,
        )
        return [_answer(config.message_id, device, Response.ACK)]

    def _is_unknown_here(self, workflow_id: WorkflowId | None) -> bool:
        """Whether this service answers for ``workflow_id``: an id of this
        instrument that no service of it implements, and we are designated."""
        return (
            self._answers_unknown
            and workflow_id is not None
            and workflow_id.instrument == self.instrument
            and workflow_id not in self._registry
        )

    def _unknown(
        self, message_id: str | None, source: str | None, workflow_id: WorkflowId
    ) -> CommandAcknowledgement:
        self._counters.increment("commands_rejected")
        reason = f"unknown workflow {workflow_id}: no livedata service implements it"
        logger.warning("rejected command %s: %s", message_id, reason)
        return _answer(message_id, source or "all", Response.ERR, reason)

    def _handle_job_command(self, command: JobCommand) -> list[CommandAcknowledgement]:
        if command.job_id is None and self._is_unknown_here(command.workflow_id):
            assert command.workflow_id is not None
            return [self._unknown(command.message_id, None, command.workflow_id)]
        targets = [
            job
            for job in self._jobs.values()
            if job.phase is not Phase.STOPPED and _targets(command, job)
        ]
        if not targets:
            self._counters.increment("commands_ignored")
            return []
        answers = []
        for job in targets:
            device = str(job.job_id)
            try:
                _apply(command.action, job)
            except Exception as error:  # e.g. a workflow whose clear() fails
                reason = one_line_error(error)
                answers.append(
                    _answer(command.message_id, device, Response.ERR, reason)
                )
            else:
                answers.append(_answer(command.message_id, device, Response.ACK))
        logger.info("%s: %d job(s)", command.action.value, len(targets))
        return answers

    def restore(self, history: list[WorkflowConfig | JobCommand]) -> list[JobId]:
        """Start again the jobs the commands topic says are running (G5).

        ``history`` is the commands topic in order (within its retention). It is
        folded first: the latest config per job id, minus jobs a later stop
        named, with the last pause/resume applied. Nothing is answered (the
        commands were answered when sent); restored jobs say so in their
        status. Their message ids are remembered, so a repeat is not re-run.
        """
        live: dict[JobId, WorkflowConfig] = {}
        paused: set[JobId] = set()
        for command in history:
            self._answered.setdefault(_repeat_key(command), [])
            if isinstance(command, WorkflowConfig):
                live[command.job_id] = command
                paused.discard(command.job_id)
                continue
            hit = [
                job_id
                for job_id, cfg in live.items()
                if _names(command, job_id, cfg.identifier)
            ]
            for job_id in hit:
                if command.action is JobAction.STOP:
                    del live[job_id]
                elif command.action is JobAction.PAUSE:
                    paused.add(job_id)
                elif command.action is JobAction.RESUME:
                    paused.discard(job_id)
        restored = []
        for job_id, config in live.items():
            [answer] = self._handle_config(config) or [None]
            if answer is None or answer.response is not Response.ACK:
                continue
            job = self._jobs[job_id]
            job.restored = True
            if job_id in paused:
                job.pause()
            restored.append(job_id)
        if restored:
            self._counters.increment("jobs_restored", len(restored))
            logger.info("restored %d job(s) from the commands topic", len(restored))
        return restored

    # -- data -------------------------------------------------------------

    def process(
        self,
        start_time: Timestamp,
        end_time: Timestamp,
        data: Mapping[StreamId, Any],
    ) -> list[JobResult]:
        """Run one batch (preprocessed values by stream) through every job."""
        results = []
        for job in self._all_jobs():
            if job.phase is Phase.STOPPED:
                continue
            result = job.process_batch(start_time, end_time, data)
            if result is not None:
                results.append(result)
        return results

    def publish_due(self, now: Timestamp) -> list[JobResult]:
        """Results of the jobs without data input that are due (started,
        reset or given new context since they last computed), stamped ``now``."""
        results = []
        for job in self._all_jobs():
            if job.data_input or job.phase is Phase.STOPPED:
                continue
            result = job.publish_if_due(now)
            if result is not None:
                results.append(result)
        return results

    def has_input(self, data: Mapping[StreamId, Any]) -> bool:
        """Whether ``data`` holds primary input of a running job (health: a
        service fed for its jobs must publish something)."""
        names = {stream.name for stream in data}
        return any(
            job.phase is Phase.ACTIVE and job.data_input and job.primary_stream in names
            for job in self._all_jobs()
        )

    def note_input_problem(self, stream_name: str, text: str) -> None:
        """Jobs fed by ``stream_name`` warn with ``text`` until reset."""
        for job in self._all_jobs():
            if job.phase is not Phase.STOPPED and stream_name in job.inputs:
                job.note_input_problem(text)

    def stop_all(self) -> None:
        """Mark every open job finishing (graceful shutdown)."""
        for job in self._all_jobs():
            job.stop()

    def finalize_finishing(self) -> list[JobResult]:
        """Final results of finishing jobs that have data; all of them stop."""
        results = []
        for job in self._all_jobs():
            if job.phase is Phase.FINISHING:
                result = job.finish()
                if result is not None:
                    results.append(result)
        return results

    def job_statuses(self) -> list[JobStatus]:
        """One status per job; stopped jobs are reported once, then forgotten."""
        statuses = [job.status() for job in self._all_jobs()]
        self._replaced = [j for j in self._replaced if j.phase is not Phase.STOPPED]
        self._jobs = {
            job_id: job
            for job_id, job in self._jobs.items()
            if job.phase is not Phase.STOPPED
        }
        return statuses


def _repeat_key(
    command: WorkflowConfig | JobCommand | UnreadableCommand,
) -> tuple[str, str]:
    """What makes a command a repeat: its message id and its content (one
    message id may start a workflow's job on several sources)."""
    if isinstance(command, WorkflowConfig | JobCommand):
        return (command.message_id, command.model_dump_json())
    return (command.message_id, repr(command))


def _reason(error: Exception) -> str:
    """One line for an ERR: which params are wrong and why, for validation errors."""
    if isinstance(error, JobConfigError):
        return str(error)
    if isinstance(error, ValidationError):
        return f"ValidationError: {validation_problems(error, 'params')}"
    return one_line_error(error)


def _targets(command: JobCommand, job: Job) -> bool:
    return _names(command, job.job_id, job.workflow_id)


def _names(command: JobCommand, job_id: JobId, workflow_id: Any) -> bool:
    if command.job_id is not None:
        return job_id == command.job_id
    if command.workflow_id is not None:
        return workflow_id == command.workflow_id
    return True


def _apply(action: JobAction, job: Job) -> None:
    match action:
        case JobAction.PAUSE:
            job.pause()
        case JobAction.RESUME:
            job.resume()
        case JobAction.RESET:
            job.reset()
        case JobAction.STOP:
            job.stop()


def _answer(
    message_id: str | None, device: str, response: Response, reason: str | None = None
) -> CommandAcknowledgement:
    return CommandAcknowledgement(
        message_id=message_id, device=device, response=response, message=reason
    )
