"""A service fed for its job but publishing nothing is WARN, not OK (issue 11).

dream/powder needs the cave monitor; without it the job holds, then drops,
the mantle's events and publishes no result. The heartbeats the real service
path emits must make a client say WARN with both reasons."""

import time

import numpy as np
import pytest

from livedata.control.health import SILENT_AFTER_WINDOWS
from livedata.control.service_registry import ServiceRegistry
from livedata.control.snapshots import Health
from livedata.core.heartbeat import HEARTBEAT_INTERVAL
from livedata.core.status import ServiceStatus
from livedata.core.timestamp import PULSE_PERIOD
from livedata.instruments import get_instrument
from livedata.instruments.dream import banks, fake
from livedata.instruments.dream.layout import layout
from livedata.kafka.wire_builders import ev44_message
from tests.instruments.science_harness import ServiceHarness, config, start_ns

pytestmark = pytest.mark.slow  # essdiffraction's pipeline

SPEC = next(s for s in get_instrument("dream").workflows.specs() if s.name == "powder")
BANK = banks.MANTLE.name
WINDOWS = 14  # of 1 s, 14 pulses each


def _heartbeats(out) -> list[ServiceStatus]:
    return [
        m.value
        for t, m in out
        if t == "dream_livedata_heartbeat" and isinstance(m.value, ServiceStatus)
    ]


def test_a_job_that_never_gets_its_monitor_makes_the_service_warn():
    h = ServiceHarness("dream", "data_reduction")
    assert h.start([config(SPEC, BANK, aux={"monitor": banks.MONITOR_CAVE})]) == ["ACK"]
    rng = np.random.default_rng(2)
    bank = layout().bank(BANK)
    t0 = start_ns()
    beats = []
    for pulse in range(14 * WINDOWS + 1):
        events = fake.powder_events(bank, 50, rng=rng)
        raw = ev44_message(
            "dream_detector",
            BANK,
            t0 + pulse * PULSE_PERIOD.ns,
            events.pixel_id,
            events.time_of_arrival,
        )
        beats += _heartbeats(h.step([raw]))
    time.sleep(HEARTBEAT_INTERVAL.to_seconds() + 0.1)  # one more beat is due
    beats += _heartbeats(h.step([]))
    counters = h.counters.snapshot()
    assert counters["job_input_windows"] >= SILENT_AFTER_WINDOWS
    assert counters.get("job_results", 0) == 0
    lost = sum(v for k, v in counters.items() if k.endswith(":pending_context"))
    assert lost > 1000  # the held windows' events, shown in thousands

    registry = ServiceRegistry()
    registry.observe(beats[0])
    registry.observe(beats[-1])
    registry.refresh()
    (row,) = registry.rows()
    assert row.health is Health.WARN
    assert f"lost {lost / 1000:.1f}k events waiting for a job's context" in row.reason
    assert "published no result for" in row.reason
