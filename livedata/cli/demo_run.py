"""``livedata demo``: a whole system on one machine.

Embedded broker on a free loopback port, topics, the instrument's services and
fake producers as subprocesses, default jobs started and acknowledged. Ctrl-C
stops the services gracefully first (stopping, then stopped heartbeats), then
the fakes, then the broker.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

from ..core.commands import WorkflowConfig
from ..core.identifiers import JobId, WorkflowId
from ..core.stop_signal import StopFlag, StopSignal
from ..instruments.instrument import Instrument
from ..kafka.broker import EmbeddedBroker
from ..services.topics import create_instrument_topics
from .lifeline import PARENT_PID_ENV

logger = logging.getLogger(__name__)
FAKE_KINDS_FOR = {
    "detectors": "detectors",
    "monitors": "monitors",
    "logs": "log_attributes",
    "area": "area_detectors",
}


@dataclass
class DemoProcesses:
    services: dict[str, subprocess.Popen] = field(default_factory=dict)
    fakes: dict[str, subprocess.Popen] = field(default_factory=dict)


def _spawn(args: list[str], log_dir: str, name: str) -> subprocess.Popen:
    log = open(os.path.join(log_dir, f"{name}.log"), "wb")  # noqa: SIM115 - owned by the child
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches the demo, which stops children in order
        # ... and should the demo die hard, the child stops too (livedata.cli.lifeline).
        env={**os.environ, PARENT_PID_ENV: str(os.getpid())},
    )


def start_processes(
    instrument: Instrument,
    bootstrap: str,
    log_dir: str,
    rates: dict[str, float] | None = None,
) -> DemoProcesses:
    procs = DemoProcesses()
    common = ["--instrument", instrument.name, "--bootstrap", bootstrap]
    for service in sorted(instrument.services()):
        # DEV: the names the fakes produce under.
        procs.services[service] = _spawn(
            ["service", "run", service, "--dev", *common], log_dir, service
        )
    for kind, attribute in FAKE_KINDS_FOR.items():
        if not getattr(instrument, attribute):
            continue
        extra = ["--rate", str(rates[kind])] if rates and kind in rates else []
        procs.fakes[kind] = _spawn(
            ["fake", kind, *common, *extra], log_dir, f"fake_{kind}"
        )
    return procs


def default_job_configs(instrument: Instrument) -> list[WorkflowConfig]:
    configs = []
    newest: dict[str, WorkflowId] = {}
    for spec in instrument.workflows.specs():  # livedata's own variant is newest
        known = newest.get(spec.name)
        if known is None or spec.version > known.version:
            newest[spec.name] = spec.workflow_id
    for name, sources in instrument.default_jobs:
        workflow = newest[name]
        message_id = str(uuid.uuid4())
        for source in sources:
            configs.append(
                WorkflowConfig(
                    identifier=workflow,
                    message_id=message_id,
                    job_id=JobId(source_name=source, job_number=uuid.uuid4()),
                )
            )
    return configs


# Longer than a service's own stop deadline (shutdown_timeout_s, 15 s): one that
# hangs dumps its stacks and exits 1 itself instead of being killed unheard.
STOP_TIMEOUT_S = 20.0


def stop_processes(
    procs: DemoProcesses, timeout: float = STOP_TIMEOUT_S
) -> dict[str, int | None]:
    """SIGINT the services, wait for their graceful stop, then stop the fakes."""
    codes: dict[str, int | None] = {}
    for group in (procs.services, procs.fakes):
        for proc in group.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + timeout
        for name, proc in group.items():
            try:
                codes[name] = proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes[name] = proc.wait()
    return codes


def run_demo(
    instrument: Instrument,
    *,
    port: int | None,
    log_dir: str,
    on_ready=None,
    stop: StopFlag | None = None,
    broker_memory_limit: int | None = None,
) -> int:
    """Runs until ``stop`` is set; returns 0 when every service stopped cleanly."""
    from ..control.quick import send_and_wait_for_acks, wait_for_services

    stop = stop or StopSignal()
    with EmbeddedBroker(port, memory_limit=broker_memory_limit) as broker:
        report = create_instrument_topics(instrument, broker.bootstrap)
        if not report.ok:
            raise RuntimeError(f"could not create topics: {dict(report.failed)}")
        procs = start_processes(instrument, broker.bootstrap, log_dir)
        try:
            silent = wait_for_services(
                instrument.name, broker.bootstrap, list(procs.services), timeout=60.0
            )
            if silent:
                raise RuntimeError(
                    f"services sent no heartbeat: {', '.join(sorted(silent))} "
                    f"(logs in {log_dir})"
                )
            configs = default_job_configs(instrument)
            outcome = send_and_wait_for_acks(
                instrument.name, broker.bootstrap, configs, timeout=60.0
            )
            if on_ready is not None:
                on_ready(broker.bootstrap, procs, outcome)
            while not stop.is_set():
                death = broker.death()
                if death is not None:
                    raise RuntimeError(f"{death}; stopping the demo")
                dead = [n for n, p in procs.services.items() if p.poll() is not None]
                if dead:
                    logger.error(
                        "services exited: %s (logs in %s)", ", ".join(dead), log_dir
                    )
                    break
                stop.wait(0.5)
        finally:
            codes = stop_processes(procs)
    return 0 if all(codes.get(s) == 0 for s in procs.services) else 1
