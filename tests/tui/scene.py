"""A real control plane for console tests, snapshots and the load benchmark.

``System`` is a ``ControlPlane`` with a ``DataService`` on the in-memory bus, one
clock for both sides. ``BusFeed`` publishes on that bus what services and other
clients would: x5f2 heartbeats, JSON commands and answers, da00 results, as the
same serialised bytes Kafka carries, so the plane's decoding, staleness, answer
tracking, lag and result summaries all run for real. Real in-process services
(``System.add_service``) answer the console's own commands. ``populate`` builds
the fixed scene that the screen tests and SVG snapshots render.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipp as sc

from livedata.control.data_service import DataService
from livedata.control.memory_transport import InMemoryBus, InProcessService
from livedata.control.plane import ControlPlane
from livedata.core.commands import (
    CommandAcknowledgement,
    JobAction,
    JobCommand,
    Response,
    WorkflowConfig,
)
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.message import Message
from livedata.core.status import JobState, JobStatus, ServiceState, ServiceStatus
from livedata.core.stream import (
    COMMANDS_STREAM,
    RESPONSES_STREAM,
    STATUS_STREAM,
    StreamId,
    StreamKind,
)
from livedata.core.timestamp import Timestamp
from livedata.instruments import get_instrument
from livedata.kafka.lag_report import lag_stats
from livedata.kafka.raw import RawMessage
from livedata.kafka.serialisers import Serialiser
from tests.control.plane_helpers import FakeClock

EPOCH_NS = 1_700_000_000_000_000_000  # wall clock at T0 (2023-11-14 22:13:20 UTC)
T0 = 1000.0  # the client's monotonic clock at the start of every scene

PANEL_XY = "dummy/panel_0_xy/2"
MONITORS = "dummy/monitor_histogram/2"
TOTAL = "dummy/total_counts/2"


def job_id(source: str, n: int) -> str:
    return f"{source}/{n:08x}-0000-4000-8000-000000000000"


JOB = job_id("panel_0", 10)  # the active detector job with results
WARN_JOB = job_id("monitor1", 11)
ERR_JOB = job_id("panel_0", 12)


def result_key(workflow_id: str, job: str, output: str) -> str:
    """The stream name (ResultKey JSON) of one output of one job."""
    return ResultKey(
        workflow_id=WorkflowId.parse_str(workflow_id),
        job_id=JobId.model_validate(job),
        output_name=output,
    ).to_json()


class WallClock(Protocol):
    """What stamps the messages a feed publishes (the scene's clock, or real time)."""

    def wall(self) -> Timestamp: ...


class BusFeed:
    """Publishes real serialised messages on the bus, as services and other
    clients would (the raw record's time is real: the plane treats commands
    and answers older than itself as history)."""

    def __init__(self, bus: InMemoryBus, clock: WallClock) -> None:
        self.bus = bus
        self.clock = clock
        self._serialise = Serialiser(bus.instrument, host="scene", pid=1)
        self._processed: dict[str, int] = {}

    def publish(self, stream: StreamId, value: Any) -> None:
        record = self._serialise(Message(self.clock.wall(), stream, value))
        self.bus.produce(
            [
                RawMessage(
                    record.topic, record.value, record.key, time.time_ns() // 10**6
                )
            ]
        )

    def service(
        self,
        name: str,
        worker: str = "0",
        *,
        state: ServiceState | str = ServiceState.RUNNING,
        jobs: int = 0,
        processed_step: int = 0,
        lag: Mapping[tuple[str, int], int | None] | None = None,
        time_lag: Mapping[tuple[str, int], float | None] | None = None,
        error: str | None = None,
        started_at_ns: int = EPOCH_NS,
    ) -> ServiceStatus:
        """One heartbeat; ``processed_step`` messages since the last one."""
        sid = f"{self.bus.instrument}:{name}:{worker}"
        processed = self._processed.get(sid, 0) + processed_step
        self._processed[sid] = processed
        status = ServiceStatus(
            instrument=self.bus.instrument,
            service_name=name,
            worker_id=worker,
            state=ServiceState(state),
            started_at=started_at_ns,
            active_job_count=jobs,
            error=error,
            messages_processed=processed,
            stream_stats=lag_stats(lag, time_lag) if lag is not None else {},
        )
        self.publish(STATUS_STREAM, status)
        return status

    def job(
        self,
        job: str,
        workflow_id: str,
        state: JobState | str = JobState.ACTIVE,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        warning: str | None = None,
        error: str | None = None,
    ) -> None:
        self.publish(
            STATUS_STREAM,
            JobStatus(
                job_id=JobId.model_validate(job),
                workflow_id=workflow_id,
                state=JobState(state),
                start_time=start_time,
                end_time=end_time,
                warning=warning,
                error=error,
            ),
        )

    def command(self, command: WorkflowConfig | JobCommand) -> None:
        """A command from another client, seen on the commands topic."""
        self.publish(COMMANDS_STREAM, command)

    def answer(
        self, message_id: str, device: str, ok: bool = True, message: str | None = None
    ) -> None:
        response = Response.ACK if ok else Response.ERR
        self.publish(
            RESPONSES_STREAM,
            CommandAcknowledgement(
                message_id=message_id, device=device, response=response, message=message
            ),
        )

    def result(
        self, workflow_id: str, job: str, output: str, value: sc.DataArray
    ) -> str:
        """One da00 result frame; returns its key (the stream name)."""
        key = result_key(workflow_id, job, output)
        self.publish(StreamId(StreamKind.LIVEDATA_DATA, key), value)
        return key


class System:
    """The client side as the console runs it, on a bus and a scene clock."""

    def __init__(
        self,
        state_dir: Path,
        instrument: str = "dummy",
        *,
        command_timeout_s: float = 10.0,
        **plane_options: Any,
    ) -> None:
        self.clock = FakeClock(T0, EPOCH_NS)
        self.bus = InMemoryBus(instrument)
        self.feed = BusFeed(self.bus, self.clock)
        self.data = plane_options.pop("data_service", None) or DataService(
            clock=self.clock
        )
        self.plane = ControlPlane(
            instrument,
            self.bus.transport(),
            clock=self.clock,
            data_service=self.data,
            state_dir=state_dir,
            command_timeout_s=command_timeout_s,
            **plane_options,
        )
        self.services: dict[str, InProcessService] = {}

    def add_service(self, name: str) -> InProcessService:
        """A real processing service on the bus, worker ``0``, on the scene clock."""
        service = self.bus.add_service(name, worker_id="0", wall_clock=self.clock.wall)
        self.services[name] = service
        return service

    def run_jobs(self, workflow_id: str, sources: list[str]) -> tuple[str, ...]:
        """Jobs started by this plane on a real service (added when missing),
        heard in its next heartbeat."""
        service = self.plane.orchestrator.spec(workflow_id).namespace
        if service not in self.services:
            self.add_service(service)
            self.deliver()
        started = self.plane.start_job(workflow_id, sources)
        self.advance(2.0)
        return started.job_ids

    def deliver(self) -> int:
        """Pump until the bus is quiet (services answer within the same poll)."""
        total = 0
        while (n := self.plane.pump_once()) > 0:
            total += n
        return total

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.deliver()

    def commands_on_bus(self) -> list[Any]:
        from livedata.core.metrics import Counters
        from livedata.kafka.routing import build_client_adapter

        adapter = build_client_adapter(self.bus.instrument, Counters())
        raws = self.bus.read(f"{self.bus.instrument}_livedata_commands", 0)
        return [m.value for m in adapter.adapt_many(raws)]

    def close(self) -> None:
        self.plane.close()


def previous_session_config() -> WorkflowConfig:
    """What an earlier console left on the commands topic: monitor2 only, with
    42 bins (G5: a new console's start form opens with it)."""
    return WorkflowConfig(
        identifier=WorkflowId.parse_str(MONITORS),
        job_id=JobId(source_name="monitor2"),
        params={"toa_edges": {"num_bins": 42}},
    )


def dummy_specs():
    return get_instrument("dummy").workflows.specs()


def image(total: float, peak: float, n: int = 128) -> sc.DataArray:
    values = np.full((n, n), (total - peak) / (n * n - 1))
    values[0, 0] = peak
    return sc.DataArray(
        sc.array(dims=["y", "x"], values=values, unit="counts"),
        coords={"x": sc.arange("x", float(n), unit="mm")},
    )


def spectrum(values: list[float]) -> sc.DataArray:
    n = len(values)
    return sc.DataArray(
        sc.array(dims=["time_of_arrival"], values=values, unit="counts"),
        coords={
            "time_of_arrival": sc.linspace(
                "time_of_arrival", 0.0, 71.0, n + 1, unit="ms"
            )
        },
    )


def scalar(value: float) -> sc.DataArray:
    return sc.DataArray(sc.scalar(value, unit="counts"))


DETECTOR_LAG = (1, 5, 8, 12)  # offset lag of dummy_detector/0 per heartbeat
START_NS = EPOCH_NS - 600 * 10**9  # jobs started ten minutes before T0


def beat_all(feed: BusFeed, i: int) -> None:
    """Heartbeat ``i`` of the scene's services (every two seconds)."""
    lag = DETECTOR_LAG[min(i, len(DETECTOR_LAG) - 1)]
    feed.service(
        "detector_data",
        jobs=2,
        processed_step=280,
        lag={("dummy_detector", 0): lag, ("dummy_detector", 1): 0},
        time_lag={("dummy_detector", 0): 0.4, ("dummy_detector", 1): 0.0},
    )
    feed.service(
        "monitor_data",
        jobs=1,
        processed_step=56,
        lag={("dummy_beam_monitor", 0): None},
    )
    feed.service("timeseries", state=ServiceState.STARTING)


def beat_jobs(feed: BusFeed) -> None:
    """The scene's jobs: one active, one with a warning, one failed."""
    feed.job(JOB, PANEL_XY, start_time=START_NS)
    feed.job(
        WARN_JOB,
        MONITORS,
        JobState.WARNING,
        start_time=START_NS,
        warning="no monitor data for 30 s",
    )
    feed.job(
        ERR_JOB,
        TOTAL,
        JobState.ERROR,
        start_time=START_NS,
        end_time=EPOCH_NS,
        error="cannot load geometry",
    )


def populate(system: System) -> System:
    """The fixed scene: four services (one stopped), three jobs, three result
    streams, reported lag, and commands of another client in every outcome.

    Ends at T0 + 10 s with everything delivered, the pump not running.
    """
    feed, clock = system.feed, system.clock
    feed.service("data_reduction", state=ServiceState.STOPPED)
    beat_all(feed, 0)
    beat_jobs(feed)
    for value in (1000.0, 1100.0, 1050.0, 1200.0):
        feed.result(PANEL_XY, JOB, "counts_total", scalar(value))
    for value in (40.0, 60.0):
        feed.result(PANEL_XY, JOB, "counts_current", scalar(value))
    feed.result(PANEL_XY, JOB, "image_cumulative", image(5.0e6, 700.0))
    feed.result(MONITORS, WARN_JOB, "spectrum_current", spectrum([1, 2, 3, 4]))
    # Another client's commands: one ACK, one ERR, one partial (after timeout).
    started = WorkflowConfig(
        identifier=WorkflowId.parse_str(PANEL_XY),
        message_id="msg-ack",
        job_id=JobId.model_validate(JOB),
    )
    feed.command(started)
    feed.answer("msg-ack", "panel_0")
    reset = JobCommand(
        message_id="msg-err",
        job_id=JobId.model_validate(ERR_JOB),
        action=JobAction.RESET,
    )
    feed.command(reset)
    feed.answer("msg-err", ERR_JOB, ok=False, message="job not found")
    for source in ("monitor1", "monitor2"):
        feed.command(
            WorkflowConfig(
                identifier=WorkflowId.parse_str(MONITORS),
                message_id="msg-partial",
                job_id=JobId(source_name=source, job_number=WARN_JOB.split("/")[1]),
            )
        )
    feed.answer("msg-partial", "monitor1", message="replaced running job")
    system.deliver()
    for i in range(1, 6):
        clock.advance(2.0)
        beat_all(feed, i)
        beat_jobs(feed)
        if i == 5:  # a command still waiting for its answer at the end
            feed.command(
                JobCommand(
                    message_id="msg-pending",
                    job_id=JobId.model_validate(JOB),
                    action=JobAction.STOP,
                )
            )
        system.deliver()
    feed.result(PANEL_XY, JOB, "counts_total", scalar(1234.0))
    feed.result(PANEL_XY, JOB, "counts_current", scalar(90.0))
    feed.result(PANEL_XY, JOB, "image_cumulative", image(5.5e6, 812.0))
    feed.result(
        MONITORS, WARN_JOB, "spectrum_current", spectrum([1, 2, 3, 4, 5, 6, 7, 8])
    )
    system.deliver()
    return system
