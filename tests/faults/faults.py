"""What the fault tests share: delivery-checked producing, heartbeat counters,
results and job statuses as seen by a client on the broker."""

from __future__ import annotations

import time
import uuid
from typing import Any

from confluent_kafka import Producer

from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.status import JobStatus, ServiceStatus
from livedata.kafka.raw import RawMessage
from livedata.kafka.sink import make_producer_config
from tests.integration.helpers import Listener

DATA_TOPIC = "dummy_livedata_data"


def config(workflow: str, source: str, **params: Any) -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId.parse_str(workflow),
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        params=params,
    )


def produce_checked(bootstrap: str, raws: list[RawMessage]) -> None:
    """Produce and assert the broker took every record (a test must know that
    the hostile bytes really reached the service)."""
    producer = Producer(make_producer_config(bootstrap))
    failures: list[str] = []

    def delivered(err, _msg) -> None:
        if err is not None:
            failures.append(err.str())

    for raw in raws:
        producer.produce(raw.topic, raw.value, raw.key, on_delivery=delivered)
        producer.poll(0)
    assert producer.flush(30) == 0
    assert not failures, failures


def latest_service(listener: Listener, service: str) -> ServiceStatus | None:
    beats = [
        m.value
        for _, m in listener.snapshot()
        if isinstance(m.value, ServiceStatus) and m.value.service_name == service
    ]
    return beats[-1] if beats else None


def wait_for_counter(
    listener: Listener, service: str, name: str, expected: int, timeout: float = 30
) -> ServiceStatus:
    """The first heartbeat of ``service`` whose counter ``name`` is ``expected``;
    fails with the last counters seen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = latest_service(listener, service)
        if last is not None and last.counters.get(name, 0) == expected:
            return last
        time.sleep(0.2)
    counters = None if last is None else last.counters
    raise AssertionError(f"{service}: {name} != {expected}; counters {counters}")


def results(listener: Listener, job_id: JobId, output: str) -> list[Any]:
    out = []
    for topic, message in listener.snapshot():
        if topic != DATA_TOPIC:
            continue
        key = ResultKey.from_json(message.stream.name)
        if key.job_id == job_id and key.output_name == output:
            out.append(message.value)
    return out


def job_statuses(listener: Listener, job_id: JobId) -> list[JobStatus]:
    return [
        m.value
        for _, m in listener.snapshot()
        if isinstance(m.value, JobStatus) and m.value.job_id == job_id
    ]
