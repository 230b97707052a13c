"""One control-plane object graph per client process (ARCHITECTURE "Client side").

A transport feeds a pump thread that updates the service registry, job service,
pending commands, orchestrator (adoption) and an optional data service; clients
read versioned, frozen snapshots (D3) and send commands through the same object.
The CLI uses it for one command, the console renders it at a few frames/second.

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
from .command_service import CommandService
from .config_store import ConfigStore
from .job_service import JobService
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

_NOTABLE = {Health.STALE: "warning", Health.ERR: "error", Health.STOPPED: "info"}


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
    ) -> None:
        from ..instruments import get_instrument

        self.instrument = instrument
        self.transport = transport
        self.counters = Counters()
        self._clock = clock
        # Commands and answers older than this are history: a consumer placed at
        # the end of a topic may still see the last batch before it (the embedded
        # broker's end offset trails by one batch), and their answers may be gone.
        self._history_before_ns = time.time_ns() - HISTORY_MARGIN_NS
        self._data = data_service
        self._cond = threading.Condition(threading.RLock())
        self._version = 0
        self._notifications: deque[Notification] = deque(maxlen=200)
        self._last_outcomes: dict[str, CommandOutcome] = {}
        self._last_health: dict[str, Health] = {}
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

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> ControlPlane:
        self._pump.start()
        return self

    def close(self) -> None:
        self._pump.stop()
        self.transport.close()

    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pump_once(self, timeout: float = 0.0) -> int:
        """One poll-dispatch-tick cycle on the caller's thread (tests, scripts)."""
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

    # -- the pump's side -----------------------------------------------------------

    def _dispatch(self, messages: list[Message[Any]]) -> None:
        with self._cond:
            for message in messages:
                try:
                    self._dispatch_one(message)
                except Exception as error:  # one bad message must not lose the rest
                    self.counters.increment("dispatch_errors")
                    logger.warning("cannot handle %s: %s", message.stream, error)
            self._version += 1
            self._refresh()

    def _dispatch_one(self, message: Message[Any]) -> None:
        value = message.value
        if message.stream.kind is StreamKind.LIVEDATA_DATA:
            if self._data is not None:
                self._data.add(message)
        elif isinstance(value, ServiceStatus):
            self.services.observe(value)
        elif isinstance(value, JobStatus):
            self.jobs.observe(value, self._service_of(value))
            self.orchestrator.observe_job(value)
        elif isinstance(value, CommandAcknowledgement | WorkflowConfig | JobCommand):
            if 0 < message.timestamp.ns < self._history_before_ns:
                self.counters.increment("history_commands_skipped")
            elif isinstance(value, CommandAcknowledgement):
                self.pending.answer(value)
            else:
                self.pending.observe_command(value)
        else:
            self.counters.increment("unexpected_messages")

    def _service_of(self, status: JobStatus) -> str | None:
        """The worker reporting a job: the latest heard of the workflow's owner."""
        try:
            spec = self.registry.spec(WorkflowId.parse_str(status.workflow_id))
        except ValueError:
            return None
        return None if spec is None else self.services.latest_of(spec.namespace)

    def _tick(self) -> None:
        with self._cond:
            if self._refresh():
                self._version += 1

    def _refresh(self) -> bool:
        """Apply the clock (staleness, timeouts); True when something changed."""
        changed = self.services.refresh()
        changed |= self.jobs.refresh(self.services.health)
        changed |= self.pending.expire()
        self._note_changes()
        return changed

    def _note_changes(self) -> None:
        now = self._clock()
        for row in self.services.rows():
            if self._last_health.get(row.service_id) is not row.health:
                level = _NOTABLE.get(row.health)
                if level is not None:
                    self._notify(now, level, f"{row.service_id} is {row.health.value}")
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

    # -- ControlApi ------------------------------------------------------------------

    @property
    def version(self) -> int:
        with self._cond:
            if self._refresh():
                self._version += 1
            return self._version

    def snapshot(self) -> Snapshot:
        with self._cond:
            if self._refresh():
                self._version += 1
            return Snapshot(
                version=self._version,
                services=self.services.rows(),
                jobs=self.jobs.rows(),
                commands=self.pending.rows(),
                results=self._data.result_rows() if self._data is not None else (),
                notifications=tuple(self._notifications),
            )

    def start_job(
        self,
        workflow_id: str,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None = None,
        aux_source_names: Mapping[str, str] | None = None,
        start_time_ns: int | None = None,
        end_time_ns: int | None = None,
    ) -> CommandRow:
        return self.orchestrator.start(
            workflow_id,
            source_names,
            params,
            aux_source_names,
            start_time_ns=start_time_ns,
            end_time_ns=end_time_ns,
        )

    def stop_jobs(self, job_ids: Sequence[str]) -> CommandRow:
        return self.orchestrator.act_on_jobs(JobAction.STOP, job_ids)

    def reset_jobs(self, job_ids: Sequence[str]) -> CommandRow:
        return self.orchestrator.act_on_jobs(JobAction.RESET, job_ids)

    def stop_workflow(self, workflow_id: str) -> CommandRow:
        return self.orchestrator.stop(workflow_id)

    def reset_workflow(self, workflow_id: str) -> CommandRow:
        return self.orchestrator.reset(workflow_id)

    def stop_all(self) -> CommandRow:
        return self.orchestrator.act_on_all(JobAction.STOP)

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
    **plane_options: Any,
) -> ControlPlane:
    """A control plane on Kafka, its pump running (unless ``start=False``)."""
    from .kafka_transport import KafkaTransport

    transport = KafkaTransport(
        instrument,
        bootstrap,
        with_data=with_data,
        with_status=with_status,
        client_config=client_config,
    )
    plane = ControlPlane(instrument, transport, **plane_options)
    return plane.start() if start else plane
