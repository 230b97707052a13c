"""The same scenario on the in-memory bus and on a real broker with a real service:
both transports must give the same observable outcome."""

from __future__ import annotations

import pytest

from livedata.control.memory_transport import InMemoryBus
from livedata.control.plane import ControlPlane, connect
from livedata.control.snapshots import Health
from livedata.instruments import get_instrument
from livedata.services.topics import create_instrument_topics
from tests.broker_fixture import kafka_broker  # noqa: F401
from tests.integration.helpers import start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKFLOW = "dummy/panel_0_xy/2"


def scenario(plane: ControlPlane) -> dict:
    """Start a job, see it run, stop it, see it stop; report what a user sees."""

    def service_ok(snap):
        return any(
            r.service_name == "detector_data" and r.health is Health.OK
            for r in snap.services
        )

    assert plane.wait_for(service_ok, 60), "no detector_data heartbeat"
    start = plane.wait(plane.start_job(WORKFLOW, ["panel_0"]).message_id, 30)
    (job_id,) = start.job_ids
    running = plane.wait_for(lambda s: any(j.job_id == job_id for j in s.jobs), 15)
    assert running is not None, "job never reported"
    stop = plane.wait(plane.stop_jobs([job_id]).message_id, 30)
    stopped = plane.wait_for(
        lambda s: any(j.job_id == job_id and j.state == "stopped" for j in s.jobs), 15
    )
    bad = None
    try:
        plane.start_job(WORKFLOW, ["monitor1"])
    except ValueError as error:
        bad = str(error)
    return {
        "start": (start.outcome, [(d, r) for d, r, _ in start.answers]),
        "job_workflow": next(j.workflow_id for j in running.jobs if j.job_id == job_id),
        "stop": (stop.outcome, [(d == job_id, r) for d, r, _ in stop.answers]),
        "stopped_seen": stopped is not None,
        "invalid": bad,
        "restored": sorted(  # the broker is shared: look at our job only
            type(c).__name__
            for c in plane.transport.restore_configs(10)
            if str(c.job_id) == job_id
        ),
    }


def test_kafka_and_memory_transports_agree(kafka_broker, tmp_path):  # noqa: F811
    instrument = get_instrument("dummy")
    assert create_instrument_topics(instrument, kafka_broker.bootstrap).ok

    bus = InMemoryBus("dummy")
    bus.add_service("detector_data")
    memory = ControlPlane("dummy", bus.transport(), state_dir=tmp_path / "m")
    with memory:
        expected = scenario(memory)

    proc = start_service("detector_data", kafka_broker.bootstrap)
    try:
        kafka = connect("dummy", kafka_broker.bootstrap, state_dir=tmp_path / "k")
        try:
            observed = scenario(kafka)
            assert kafka.transport.counters.snapshot().get("consume_errors", 0) == 0
        finally:
            kafka.close()
    finally:
        stop_service(proc)

    assert observed == expected
    assert expected["start"][0].value == "ACK"
    assert expected["stop"] == (expected["stop"][0], [(True, "ACK")])
    assert expected["stopped_seen"]
    assert "unknown source monitor1" in expected["invalid"]
    assert expected["restored"] == ["JobCommand", "WorkflowConfig"]
