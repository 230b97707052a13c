"""One control-plane object graph per client process (docs/architecture.md "The client side").

A transport feeds a pump thread that updates the service registry, job service,
pending commands, orchestrator (adoption), the lag reported in heartbeats and an
optional data service; clients read versioned, frozen snapshots (D3) and send
commands through the same object. The CLI uses it for one command, the console
renders it at a few frames/second.

While the pump thread runs, it publishes a new immutable ``Snapshot`` when
messages arrived or the clock changed something (staleness, timeouts), at most
every ``TICK_INTERVAL_S``, and when this client sent a command; ``snapshot()``
and ``version`` then only read that reference, so a UI thread never waits for
the lock the pump holds. Results are summarised (scipp) before the lock is
taken. Without a pump thread (CLI, tests), a read applies the clock itself and
is as fresh as the caller's last ``pump_once``.

Import-light on purpose (CLI ``--help`` speed): nothing here imports scipp,
confluent_kafka or UI packages; the Kafka transport is imported by ``connect``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..core.commands import (
    CommandAcknowledgement,
    JobAction,
    JobCommand,
    WorkflowConfig,
)
from ..core.identifiers import WorkflowId
from ..core.message import Message
from ..core.metrics import Counters
from ..core.status import JobStatus, ServiceStatus
from ..core.stream import StreamKind
from .api import NoJobsToActOn
from .command_service import CommandService
from .config_store import ConfigStore, StoredConfig
from .job_service import JobService
from .lag import LagProbe
from .orchestrator import Orchestrator
from .pending import DEFAULT_TIMEOUT_S, PendingCommands
from .pump import MessagePump
from .service_registry import HEARTBEAT_INTERVAL_S, ServiceRegistry
from .snapshots import (
    CommandOutcome,
    CommandRow,
    Health,
    Notification,
    ResultRow,
    Snapshot,
)
from .transport import Transport

logger = logging.getLogger(__name__)

HISTORY_MARGIN_NS = 1_000_000_000
# Ages in a snapshot move even when nothing changes; the pump republishes at
# least this often (client clock seconds) so readers see them move.
REPUBLISH_S = 0.5
# The pump applies the clock and publishes at most this often (real seconds):
# a transport may hand over many small batches a second, readers need a few.
TICK_INTERVAL_S = 0.1

_NOTABLE = {
    Health.WARN: "warning",
    Health.STALE: "warning",
    Health.DEAD: "error",
    Health.ERR: "error",
    Health.STOPPED: "info",
}


class DataSink(Protocol):
    """What the plane needs of a data service (livedata/control/data_service.py)."""

    def add(self, message: Message[Any]) -> None: ...

    def result_rows(self) -> tuple[ResultRow, ...]: ...


class ControlPlane:
    """Implements ``livedata.control.api.ControlApi`` over any ``Transport``."""

    def __init__(
        self,
        instrument: str,
        transport: Transport,
        *,
        clock: Callable[[], float] = time.monotonic,
        data_service: DataSink | None = None,
        state_dir: str | Path | None = None,
        persist: bool = True,
        command_timeout_s: float = DEFAULT_TIMEOUT_S,
        heartbeat_interval_s: float = HEARTBEAT_INTERVAL_S,
        stale_after_intervals: float = 3.0,
        poll_timeout_s: float = 0.1,
        lag_probe: LagProbe | None = None,
    ) -> None:
        """``lag_probe``: a broker-measuring probe, sampled on its own thread for
        the Lag view (else lag comes only from heartbeats, without I/O)."""
        from ..instruments import get_instrument

        self.instrument = instrument
        self.transport = transport
        self.counters = Counters()
        self._clock = clock
        # Commands and answers older than this are history: a consumer placed at
        # the end of a topic may still see the last batch before it (the embedded
        # broker's end offset trails by one batch), and their answers may be gone.
        self._started_ns = time.time_ns()
        self._history_before_ns = self._started_ns - HISTORY_MARGIN_NS
        self._data = data_service
        # Only a transport that says so replays heartbeats from before we started.
        self._replays_history = bool(getattr(transport, "replays_status", False))
        self._cond = threading.Condition(threading.RLock())
        self._version = 0
        self._notifications: deque[Notification] = deque(maxlen=200)
        self._last_outcomes: dict[str, CommandOutcome] = {}
        self._last_health: dict[str, Health] = {}
        self.lag = lag_probe or LagProbe.from_heartbeats(instrument)
        self._lag_sampler = None
        if lag_probe is not None:
            from .lag_sampler import LagSampler

            self._lag_sampler = LagSampler(lag_probe, self._lag_sampled)
        self.registry = get_instrument(instrument).workflows
        self.services = ServiceRegistry(
            clock=clock,
            interval_s=heartbeat_interval_s,
            stale_after_intervals=stale_after_intervals,
        )
        self.jobs = JobService(
            clock=clock, stale_after_s=heartbeat_interval_s * stale_after_intervals
        )
        self.pending = PendingCommands(
            clock=clock, timeout_s=command_timeout_s, condition=self._cond
        )
        self.commands = CommandService(transport, self.pending, on_change=self._bump)
        self.store = ConfigStore(instrument, state_dir) if persist else None
        self.orchestrator = Orchestrator(
            instrument, self.registry, self.commands, self.jobs, self.store
        )
        self._pump = MessagePump(
            transport,
            self._dispatch,
            tick=self._tick,
            poll_timeout=poll_timeout_s,
            counters=self.counters,
        )
        self._published = Snapshot(version=0)
        self._published_at = float("-inf")
        self._dirty = False  # dispatched since the last publish
        self._last_tick = float("-inf")

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> ControlPlane:
        self._pump.start()
        if self._lag_sampler is not None:
            self._lag_sampler.start()
        return self

    def close(self) -> None:
        self._pump.stop()
        if self._lag_sampler is not None:
            self._lag_sampler.stop()
        self.transport.close()

    def _lag_sampled(self) -> None:
        with self._cond:
            self._version += 1
            self._dirty = True

    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pump_once(self, timeout: float = 0.0) -> int:
        """One poll-dispatch-tick cycle on the caller's thread (tests, scripts);
        the snapshot is then fresh, however soon after the last one it came."""
        self._last_tick = float("-inf")  # this cycle's tick is not throttled
        return self._pump.pump_once(timeout)

    def restore_configs(self, timeout: float = 5.0) -> int:
        """Seed the config store from the commands topic (G5); workflows added."""
        restore = getattr(self.transport, "restore_configs", None)
        if restore is None or self.store is None:
            return 0
        added = self.store.seed(restore(timeout))
        if added:
            self.orchestrator.load_staged()
            self._bump()
        return added

    @property
    def data_service(self) -> DataSink | None:
        """The results this plane keeps (None when it was built without)."""
        return self._data

    def last_config(self, workflow_id: str) -> StoredConfig | None:
        """The workflow's staged config (restored or last started), if any: what a
        start form pre-fills."""
        try:
            staged = self.orchestrator.staged(workflow_id)
        except ValueError:
            return None
        return staged if staged.source_names else None

    # -- the pump's side -----------------------------------------------------------

    def _dispatch(self, messages: list[Message[Any]]) -> None:
        control = []
        for message in messages:
            if message.stream.kind is StreamKind.LIVEDATA_DATA:
                # Summarising is scipp work: done before the lock is taken.
                self._guarded(self._add_result, message)
            else:
                control.append(message)
        with self._cond:
            for message in control:
                self._guarded(self._dispatch_one, message)
            self._version += 1
            self._dirty = True  # published by the next tick (or read)

    def _guarded(
        self, handle: Callable[[Message[Any]], None], message: Message
    ) -> None:
        try:
            handle(message)
        except Exception as error:  # one bad message must not lose the rest
            self.counters.increment("dispatch_errors")
            logger.warning("cannot handle %s: %s", message.stream, error)

    def _add_result(self, message: Message[Any]) -> None:
        if self._data is not None:
            self._data.add(message)

    def _dispatch_one(self, message: Message[Any]) -> None:
        """A control message (status, command, answer), under the lock."""
        value = message.value
        if isinstance(value, ServiceStatus):
            self.services.observe(value, self._sent_at(message))
            self.lag.observe(value)
        elif isinstance(value, JobStatus):
            self.jobs.observe(value, self._service_of(value), self._sent_at(message))
            self.orchestrator.observe_job(value)
        elif isinstance(value, CommandAcknowledgement | WorkflowConfig | JobCommand):
            at_ns = message.timestamp.ns if message.timestamp.ns > 0 else None
            if 0 < message.timestamp.ns < self._history_before_ns:
                self.counters.increment("history_commands_skipped")
                if isinstance(value, CommandAcknowledgement):
                    self.pending.remember_early(value, at_ns)
            elif isinstance(value, CommandAcknowledgement):
                self.pending.answer(value, at_ns)
            else:
                self.pending.observe_command(value, at_ns)
        else:
            self.counters.increment("unexpected_messages")

    def _sent_at(self, message: Message[Any]) -> float | None:
        """When a heartbeat replayed from before this client started was sent
        (wall clock s); None for one heard live."""
        if not self._replays_history:
            return None
        ns = message.timestamp.ns
        # Kafka timestamps are whole milliseconds: a beat sent in the very
        # millisecond this client started is stamped before it, yet live.
        started_ms_ns = self._started_ns // 1_000_000 * 1_000_000
        return ns / 1e9 if 0 < ns < started_ms_ns else None

    def _service_of(self, status: JobStatus) -> str | None:
        """The worker reporting a job: the latest heard of the workflow's owner."""
        try:
            spec = self.registry.spec(WorkflowId.parse_str(status.workflow_id))
        except ValueError:
            return None
        return None if spec is None else self.services.latest_of(spec.namespace)

    def _tick(self) -> None:
        """After every poll: apply the clock and publish, at most every
        ``TICK_INTERVAL_S`` (real time)."""
        now = time.monotonic()
        if now - self._last_tick < TICK_INTERVAL_S:
            return
        self._last_tick = now
        with self._cond:
            changed = self._refresh(dispatched=self._dirty)
            if changed:
                self._version += 1
            stale = self._clock() - self._published_at >= REPUBLISH_S
            if changed or self._dirty or stale:
                self._publish()

    def _refresh(self, dispatched: bool = False) -> bool:
        """Apply the clock (staleness, timeouts); True when something changed."""
        changed = self.services.refresh()
        changed |= self.jobs.refresh(self.services.health)
        changed |= self.pending.expire()
        if changed or dispatched:
            self._note_changes()
        return changed

    def _publish(self) -> None:
        """Freeze the current state for readers (call with the lock held)."""
        self._dirty = False
        self._published_at = self._clock()
        self._published = Snapshot(
            version=self._version,
            services=self.services.rows(),
            jobs=self.jobs.rows(self.services.reason),
            commands=self.pending.rows(),
            results=self._data.result_rows() if self._data is not None else (),
            lag=(
                self._lag_sampler.rows
                if self._lag_sampler is not None
                else self.lag.reported_rows()
            ),
            notifications=tuple(self._notifications),
        )

    def _current(self) -> Snapshot:
        """The latest published snapshot; applies the clock first when no pump
        thread does (the caller is the only one moving this plane)."""
        if not self._pump.running:
            with self._cond:
                if self._refresh(dispatched=self._dirty):
                    self._version += 1
                self._publish()
        return self._published

    def _note_changes(self) -> None:
        now = self._clock()
        for row in self.services.rows():
            if self._last_health.get(row.service_id) is not row.health:
                level = _NOTABLE.get(row.health)
                if row.health is Health.WARN and row.reason in (None, "starting"):
                    level = None  # a start-up is no news
                if level is not None:
                    why = f": {row.reason}" if row.health is Health.WARN else ""
                    text = f"{row.service_id} is {row.health.value}{why}"
                    self._notify(now, level, text)
                self._last_health[row.service_id] = row.health
        for row in self.pending.rows():
            if self._last_outcomes.get(row.message_id) is row.outcome:
                continue
            self._last_outcomes[row.message_id] = row.outcome
            if row.outcome in (CommandOutcome.PENDING, CommandOutcome.ACK):
                continue
            detail = f": {'; '.join(row.errors)}" if row.errors else ""
            self._notify(now, "error", f"{row.summary}: {row.outcome.value}{detail}")

    def _notify(self, now: float, level: str, text: str) -> None:
        self._notifications.append(Notification(now, level, text))

    def _bump(self) -> None:
        with self._cond:
            self._version += 1
            self._note_changes()
            self._publish()

    # -- ControlApi ------------------------------------------------------------------

    def connection(self):
        """The transport's ``ConnectionState``, or None when it cannot tell."""
        probe = getattr(self.transport, "connection", None)
        return probe() if callable(probe) else None

    def log(self, level: str, text: str) -> None:
        """A line for the notifications view from outside the plane (e.g. the
        Kafka client's own log, kept off the operator's terminal)."""
        with self._cond:
            self._notify(self._clock(), level, text)
            self._version += 1
            self._dirty = True

    @property
    def version(self) -> int:
        """Lock-free while the pump thread runs (it publishes)."""
        return self._current().version

    def snapshot(self) -> Snapshot:
        """Lock-free while the pump thread runs: the last published snapshot."""
        return self._current()

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
        return self.orchestrator.start(
            workflow_id,
            source_names,
            params,
            aux_source_names,
            start_time_ns=start_time_ns,
            end_time_ns=end_time_ns,
            replace=replace,
        )

    def stop_jobs(self, job_ids: Sequence[str]) -> CommandRow:
        return self.orchestrator.act_on_jobs(JobAction.STOP, job_ids)

    def reset_jobs(self, job_ids: Sequence[str]) -> CommandRow:
        return self.orchestrator.act_on_jobs(JobAction.RESET, job_ids)

    def jobs_to_act_on(
        self, workflow_id: str | None = None, wait_s: float = 0.0
    ) -> tuple[str, ...] | None:
        """The running jobs a stop or reset of ``workflow_id`` (None: of every
        workflow) reaches, once its services and all the jobs they report have
        been heard (waiting up to ``wait_s`` for that); None if they have not:
        until then "no jobs" cannot be told from "not heard yet"."""
        namespace = None
        if workflow_id is not None:
            namespace = self.orchestrator.spec(workflow_id).namespace
        heard = self.wait_for(lambda snap: snap.heard_all_jobs(namespace), wait_s)
        return None if heard is None else heard.running_jobs(workflow_id)

    def stop_workflow(self, workflow_id: str) -> CommandRow:
        self._refuse_when_nothing_runs("stop", workflow_id)
        return self.orchestrator.stop(workflow_id)

    def reset_workflow(self, workflow_id: str) -> CommandRow:
        self._refuse_when_nothing_runs("reset", workflow_id)
        return self.orchestrator.reset(workflow_id)

    def stop_all(self) -> CommandRow:
        self._refuse_when_nothing_runs("stop", None)
        return self.orchestrator.act_on_all(JobAction.STOP)

    def reset_all(self) -> CommandRow:
        self._refuse_when_nothing_runs("reset", None)
        return self.orchestrator.act_on_all(JobAction.RESET)

    def _refuse_when_nothing_runs(self, action: str, workflow_id: str | None) -> None:
        """Raise ``NoJobsToActOn`` rather than broadcast a command that no job
        would answer (its wait would last the whole timeout)."""
        if self.jobs_to_act_on(workflow_id) == () and not (
            self.orchestrator.running_jobs(workflow_id)
        ):
            target = workflow_id or f"any workflow of {self.instrument}"
            raise NoJobsToActOn(f"no running jobs of {target} to {action}")

    def wait(self, message_id: str, timeout: float) -> CommandRow:
        if self._pump.running:
            row = self.pending.wait(message_id, timeout)
        else:  # nobody else pumps: do it here until resolved or out of time
            deadline = time.monotonic() + timeout
            row = self.pending.row(message_id)
            if row is None:
                raise KeyError(f"unknown command {message_id!r}")
            while row.outcome is CommandOutcome.PENDING:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    row = self.pending.finish(message_id)
                    break
                self.pump_once(min(remaining, 0.05))
                row = self.pending.row(message_id) or row
        self._bump()
        return row

    def wait_for(
        self, predicate: Callable[[Snapshot], Any], timeout: float
    ) -> Snapshot | None:
        """Poll snapshots until ``predicate`` holds (CLI: wait for services)."""
        deadline = time.monotonic() + timeout
        while True:
            snap = self.snapshot()
            if predicate(snap):
                return snap
            if time.monotonic() >= deadline:
                return None
            if not self._pump.running:
                self.pump_once(0.05)
            else:
                time.sleep(0.05)


def connect(
    instrument: str,
    bootstrap: str,
    *,
    with_data: bool = False,
    with_status: bool = True,
    client_config: Mapping[str, Any] | None = None,
    start: bool = True,
    broker_lag: bool = False,
    fetch_wait_ms: int | None = None,
    **plane_options: Any,
) -> ControlPlane:
    """A control plane on Kafka, its pump running (unless ``start=False``);
    ``broker_lag``: the Lag rows measured at the broker (the console);
    ``fetch_wait_ms``: a shorter consumer fetch wait (the plot server)."""
    from .kafka_transport import KafkaTransport

    transport = KafkaTransport(
        instrument,
        bootstrap,
        with_data=with_data,
        with_status=with_status,
        client_config=client_config,
        fetch_wait_ms=fetch_wait_ms,
    )
    if broker_lag:
        plane_options["lag_probe"] = LagProbe(
            bootstrap, instrument, client_config=client_config
        )
    plane = ControlPlane(instrument, transport, **plane_options)
    return plane.start() if start else plane
