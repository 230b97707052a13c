"""One processing cycle of a service (B1, A11): commands, batches, jobs, results.

The processor owns no thread and no clock of its own beyond heartbeats: the
``Service`` calls ``process`` in a loop, and the data's timestamps decide
everything else through the batcher.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from .accumulator import Accumulator, PreprocessorFactory
from .batching import MessageBatch, MessageBatcher
from .commands import JobCommand, UnreadableCommand, WorkflowConfig
from .finite import mask_nonfinite
from .heartbeat import HEARTBEAT_INTERVAL, HeartbeatPublisher, ServiceInfo, StreamStats
from .job import JobResult, one_line_error
from .job_manager import JobManager
from .message import (
    Message,
    MessageSink,
    MessageSource,
    SourceUnhealthy,
    source_problem,
    source_warning,
)
from .metrics import Counters, log_sparsely
from .result import unroll
from .status import ServiceState
from .stream import RESPONSES_STREAM, StreamId, StreamKind
from .timestamp import Duration, Timestamp

logger = logging.getLogger(__name__)


class StreamPreprocessors:
    """One accumulator per stream, made on first sight by the factory (B3).

    Streams the factory declines are remembered, so it is asked only once, and
    every message of theirs is counted as ``dropped_unknown_stream:<kind>``.
    Values are keyed by :class:`StreamId`: a monitor's events and its histograms
    share a name but are different streams, and neither may overwrite the other.
    """

    def __init__(self, factory: PreprocessorFactory, counters: Counters) -> None:
        self._factory = factory
        self._counters = counters
        self._accumulators: dict[StreamId, Accumulator[Any, Any] | None] = {}
        # stream name -> non-finite values masked since the last ``take_masked``
        self._masked: dict[str, int] = {}

    def take_masked(self) -> dict[str, int]:
        """Non-finite values masked per stream name since the last call."""
        masked, self._masked = self._masked, {}
        return masked

    def _accumulator(self, stream: StreamId) -> Accumulator[Any, Any] | None:
        if stream not in self._accumulators:
            self._accumulators[stream] = self._factory.make_preprocessor(stream)
            if self._accumulators[stream] is None:
                logger.info("no preprocessor for stream %s; dropping it", stream)
        return self._accumulators[stream]

    def add(self, messages: list[Message[Any]]) -> list[StreamId]:
        """Add messages to their accumulators; the streams that took some, in order."""
        touched: dict[StreamId, None] = {}
        for message in messages:
            accumulator = self._accumulator(message.stream)
            if accumulator is None:
                self._counters.increment(
                    f"dropped_unknown_stream:{message.stream.kind.value}"
                )
                continue
            value, masked = mask_nonfinite(message.value)
            if masked:
                name = message.stream.name
                self._masked[name] = self._masked.get(name, 0) + masked
                self._counters.increment(f"nonfinite_values:{name}", masked)
                log_sparsely(
                    logger,
                    self._counters,
                    f"nonfinite_messages:{message.stream.kind.value}",
                    "stream %s: %d non-finite values %s",
                    message.stream,
                    masked,
                    "dropped" if value is None else "set to zero",
                )
                if value is None:
                    continue
            try:
                accumulator.add(message.timestamp, value)
            except Exception as error:  # bad input must not stop the service
                log_sparsely(
                    logger,
                    self._counters,
                    f"preprocess_errors:{message.stream.kind.value}",
                    "stream %s: %s",
                    message.stream,
                    one_line_error(error),
                )
                continue
            self._counters.increment("messages_processed")
            touched[message.stream] = None
        return list(touched)

    def values(self, streams: list[StreamId]) -> dict[StreamId, Any]:
        """The current value of each stream (window accumulators clear on read)."""
        values: dict[StreamId, Any] = {}
        for stream in streams:
            accumulator = self._accumulators.get(stream)
            if accumulator is None:
                continue
            try:
                values[stream] = accumulator.get()
            except Exception as error:
                log_sparsely(
                    logger,
                    self._counters,
                    f"preprocess_errors:{stream.kind.value}",
                    "stream %s: %s",
                    stream,
                    one_line_error(error),
                )
        return values

    def preprocess(self, batch: MessageBatch) -> dict[str, Any]:
        """Add a batch's messages; the values of the streams that got data, by
        name (for callers whose stream names are unique)."""
        values = self.values(self.add(batch.messages))
        return {stream.name: value for stream, value in values.items()}


# Streams that describe how to process data rather than being data: they are
# stamped by whoever sends them (a plot server stamps ROIs with its wall clock),
# so they must never drive the data clock of the batcher.
CONTEXT_KINDS = frozenset({StreamKind.LIVEDATA_ROI})


class OrchestratingProcessor:
    """Commands to the job manager, data through batches, accumulators and jobs."""

    def __init__(
        self,
        source: MessageSource,
        sink: MessageSink,
        preprocessor_factory: PreprocessorFactory,
        job_manager: JobManager,
        batcher: MessageBatcher,
        service_info: ServiceInfo,
        counters: Counters,
        wall_clock: Callable[[], Timestamp] = Timestamp.now,
        heartbeat_interval: Duration = HEARTBEAT_INTERVAL,
        stream_stats: StreamStats | None = None,
        context_kinds: frozenset[StreamKind] = CONTEXT_KINDS,
        commands_since: Timestamp | None = None,
    ) -> None:
        self._source = source
        # Commands older than this were sent to an earlier instance; a broker
        # that re-delivers the last batch before our start offset (Tansu does)
        # would otherwise start zombie jobs (C3). Kafka times come from the
        # sender's clock, hence the tolerance already applied by the caller.
        self._commands_since = commands_since
        self._context_kinds = context_kinds
        # Context streams that took values since the last closed batch.
        self._pending_context: dict[StreamId, None] = {}
        self._sink = sink
        self._preprocessors = StreamPreprocessors(preprocessor_factory, counters)
        self._jobs = job_manager
        self._batcher = batcher
        self._counters = counters
        self._clock = wall_clock
        self._heartbeat_interval_s = heartbeat_interval.to_seconds()
        self._heartbeat = HeartbeatPublisher(
            service_info,
            job_manager,
            counters,
            wall_clock,
            heartbeat_interval,
            stream_stats=stream_stats,
        )
        self._state = ServiceState.RUNNING
        # Monotonic start of the cycle in progress (None between cycles), and
        # the worst lag of a result behind the wall clock since the last beat:
        # a heartbeat says "busy" and "behind" (livedata.control.health).
        self._cycle_started: float | None = None
        # Set by the Service: True once a stop was requested.
        self.should_stop: Callable[[], bool] = lambda: False
        self._result_lag_s: float | None = None
        self._last_result_lag_s: float | None = None

    def process(self) -> int:
        """One cycle (see :meth:`_cycle`), timed for :meth:`keep_alive`."""
        self._cycle_started = time.monotonic()
        try:
            return self._cycle()
        finally:
            self._cycle_started = None

    def keep_alive(self) -> None:
        """From a watchdog thread: beat when a cycle has outlasted the heartbeat
        interval, so a slow reduction never silences the service (B11)."""
        started = self._cycle_started
        if started is None or not self._heartbeat.is_due():
            return
        busy = time.monotonic() - started
        if busy < self._heartbeat_interval_s:
            return
        stats: dict[str, Any] = {"busy_s": round(busy, 1)}
        if self._last_result_lag_s is not None:
            stats["result_lag_s"] = round(self._last_result_lag_s, 2)
        self._publish(self._heartbeat.beat_while_busy(self._state, stats))

    def _processing_stats(self) -> dict[str, Any]:
        """What this beat says about processing; resets the interval's worst lag."""
        lag, self._result_lag_s = self._result_lag_s, None
        if lag is None:
            return {}
        self._last_result_lag_s = lag
        return {"result_lag_s": round(lag, 2)}

    def _cycle(self) -> int:
        """One cycle; returns how many messages the source delivered.

        Raises :class:`SourceUnhealthy` once the source has failed for good, after
        this cycle's messages are processed, so the service reports ``error``.
        """
        messages = self._source.get_messages()
        commands, context, data = [], [], []
        context_kinds = self._context_kinds
        for m in messages:
            kind = m.stream.kind
            if kind is StreamKind.LIVEDATA_COMMANDS:
                commands.append(m)
            elif kind in context_kinds:
                context.append(m)
            else:
                data.append(m)
        if commands:
            self._handle_commands(commands)
            # a stop command should not wait for the next batch to close
            self._publish_results(self._jobs.finalize_finishing())
        if context:
            # Held apart from the batcher; delivered with the next closed batch.
            for stream in self._preprocessors.add(context):
                self._pending_context[stream] = None
        for batch in self._batcher.batch(data) if data else []:
            if self.should_stop():
                # A stop was asked for: the backlog is not worth the deadline.
                self._counters.increment("batches_skipped_on_stop")
                continue
            self._process_batch(batch)
        # Jobs without data input (a lookup table) publish when due, not
        # when data comes; a restored one is due at the first cycle.
        due = self._jobs.publish_due(self._clock())
        if due:
            self._counters.increment("job_results", len(due))
            self._publish_results(due)
        if self._heartbeat.is_due():
            warning = (
                source_warning(self._source) or source_warning(self._sink)
                if self._state is ServiceState.RUNNING
                else None
            )
            stats = self._processing_stats()
            self._publish(self._heartbeat.beat(self._state, warning, stats))
        problem = source_problem(self._source)
        if problem is not None:
            raise SourceUnhealthy(problem)
        return len(messages)

    def _process_batch(self, batch: MessageBatch) -> None:
        streams = self._preprocessors.add(batch.messages)
        if self._pending_context:
            streams = [*self._pending_context, *streams]
            self._pending_context = {}
        values = self._preprocessors.values(streams)
        for name, count in self._preprocessors.take_masked().items():
            self._jobs.note_input_problem(
                name, f"{count} non-finite input values of {name} set to zero"
            )
        if self._jobs.has_input(values):
            self._counters.increment("job_input_windows")
        results = self._jobs.process(batch.start_time, batch.end_time, values)
        if results:
            self._counters.increment("job_results", len(results))
        self._publish_results(results)
        if batch.messages:
            lag = (self._clock() - batch.end_time).to_seconds()
            if self._result_lag_s is None or lag > self._result_lag_s:
                self._result_lag_s = max(0.0, lag)

    def announce_stopping(self) -> None:
        """From another thread, as soon as a stop is requested: the ``stopping``
        beat goes out now, not when the cycle in progress ends."""
        if self._state is ServiceState.RUNNING:
            self._state = ServiceState.STOPPING
            self._publish(self._heartbeat.beat_while_busy(ServiceState.STOPPING, {}))

    def restore_jobs(self, history: list[Any]) -> list[Any]:
        """Start again the jobs ``history`` (the commands topic) says run (G5)."""
        return self._jobs.restore(history)

    def shutdown(self) -> None:
        """A graceful stop begins: say so, and let every job finish.

        The open data window is closed first, so its data reaches the jobs'
        final results instead of being lost.
        """
        self._state = ServiceState.STOPPING
        for batch in self._batcher.flush():
            self._process_batch(batch)
        self._jobs.stop_all()
        self._publish(self._heartbeat.beat(ServiceState.STOPPING))

    def finalize_and_report_stopped(self) -> None:
        """Last results of jobs that have data, then the final ``stopped`` beat."""
        self._jobs.stop_all()
        self._publish_results(self._jobs.finalize_finishing())
        self._state = ServiceState.STOPPED
        self._publish(self._heartbeat.beat(ServiceState.STOPPED))

    def report_error(self, error: str) -> None:
        """The service is going down on an unhandled error; say why."""
        self._state = ServiceState.ERROR
        self._publish(self._heartbeat.beat(ServiceState.ERROR, error=error))

    def _handle_commands(self, commands: list[Message[Any]]) -> None:
        answers = []
        for message in commands:
            command = message.value
            if self._commands_since is not None and message.timestamp < (
                self._commands_since
            ):
                log_sparsely(
                    logger,
                    self._counters,
                    "commands_stale",
                    "ignoring a command sent %s before this service started",
                    self._commands_since - message.timestamp,
                )
                continue
            if not isinstance(command, WorkflowConfig | JobCommand | UnreadableCommand):
                log_sparsely(
                    logger,
                    self._counters,
                    "commands_invalid",
                    "not a command: %s",
                    type(command).__name__,
                )
                continue
            try:
                acks = self._jobs.handle_command(command)
            except Exception as error:  # one bad command must not stop the service
                log_sparsely(
                    logger,
                    self._counters,
                    "command_errors",
                    "%s",
                    one_line_error(error),
                )
                continue
            answers.extend(Message(self._clock(), RESPONSES_STREAM, a) for a in acks)
        self._publish(answers)

    def _publish_results(self, results: list[JobResult]) -> None:
        messages = []
        for result in results:
            messages.extend(unroll(result, self._counters))
        self._publish(messages)

    def _publish(self, messages: list[Message[Any]]) -> None:
        if messages:
            self._sink.publish_messages(messages)
