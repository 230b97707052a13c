"""The broker goes away and comes back empty (an in-memory broker restarted):
services say why they cannot read, create no topic themselves, and resume when
the topics are created again (issue 11)."""

from __future__ import annotations

import time

import pytest
from confluent_kafka.admin import AdminClient

from livedata.control.quick import send_and_wait_for_acks, wait_for_services
from livedata.core.timestamp import NS_PER_S
from livedata.instruments import get_instrument
from livedata.kafka.admin import ensure_topics
from livedata.kafka.broker import EmbeddedBroker, find_free_port
from livedata.kafka.wire_builders import ev44_message
from livedata.services.topics import topics_to_create
from tests.faults.faults import config, latest_service, produce_checked, results
from tests.integration.helpers import Listener, start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# What clients read (the listener needs all of them); the inputs come later.
CONTROL = (
    "_livedata_heartbeat",
    "_livedata_responses",
    "_livedata_commands",
    "_livedata_data",
)


def create(bootstrap: str, *, control: bool) -> None:
    wanted = {
        name: settings
        for name, settings in topics_to_create(get_instrument("dummy")).items()
        if name.endswith(CONTROL) == control
    }
    assert ensure_topics(bootstrap, wanted, timeout=10).ok


def feed(bootstrap: str, seconds: int = 3) -> None:
    t0 = time.time_ns() // NS_PER_S * NS_PER_S - seconds * NS_PER_S
    produce_checked(
        bootstrap,
        [
            ev44_message("dummy_detector", "panel_0", t0 + i * NS_PER_S, [1, 2], [5, 6])
            for i in range(seconds + 1)
        ],
    )


@pytest.mark.parametrize("down_s", [5, 30])
def test_services_warn_then_resume_after_a_broker_restart(down_s):
    port = find_free_port()
    broker = EmbeddedBroker(port).start()
    bootstrap = broker.bootstrap
    create(bootstrap, control=True)
    create(bootstrap, control=False)
    proc = start_service("detector_data", bootstrap)
    listener = None
    try:
        assert not wait_for_services("dummy", bootstrap, ["detector_data"], timeout=60)
        cfg = config("dummy/panel_0_xy/2", "panel_0")
        assert send_and_wait_for_acks("dummy", bootstrap, [cfg], timeout=30).all_acked
        feed(bootstrap)
        listener = Listener(bootstrap)
        feed(bootstrap)
        listener.wait_for(
            lambda _: results(listener, cfg.job_id, "counts_total_cumulative"),
            timeout=30,
        )
        listener.close()
        listener = None

        broker.stop()
        time.sleep(down_s)
        broker = EmbeddedBroker(port).start()
        restarted_at = time.monotonic()
        create(bootstrap, control=True)  # heartbeats and results can be read
        listener = Listener(bootstrap)
        warned = listener.wait_for(
            lambda _: [
                b
                for b in [latest_service(listener, "detector_data")]
                if b is not None and b.error and "topics missing" in b.error
            ],
            timeout=30,
        )
        assert "dummy_detector" in warned[-1].error
        assert warned[-1].state.value == "running"  # running, but WARN: error set
        # nobody created the data topics by writing or reading them
        topics = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=5)
        assert "dummy_detector" not in topics.topics
        assert "dummy_area_detector" not in topics.topics

        create(bootstrap, control=False)
        created_at = time.monotonic()
        deadline = time.monotonic() + 60
        while not results(listener, cfg.job_id, "counts_total_cumulative"):
            assert time.monotonic() < deadline, "no results after the restart"
            feed(bootstrap, seconds=1)
            time.sleep(1)
        resumed = time.monotonic()
        clear = listener.wait_for(
            lambda _: [
                b
                for b in [latest_service(listener, "detector_data")]
                if b is not None and not b.error
            ],
            timeout=20,
        )
        assert clear[-1].counters.get("topics_reassigned", 0) >= 1
        assert proc.poll() is None
        print(
            f"down {down_s} s: results {resumed - restarted_at:.1f} s after the"
            f" broker restart, {resumed - created_at:.1f} s after topics create"
        )
    finally:
        if listener is not None:
            listener.close()
        stop_service(proc)
        broker.stop()
