"""A live service reports its consumer lag, and ``livedata kafka lag`` shows it."""

import json
import time

import numpy as np
import pytest

from livedata.control.quick import wait_for_services
from livedata.core.status import ServiceState, ServiceStatus
from livedata.instruments import get_instrument
from livedata.kafka.wire_builders import ev44_message
from livedata.services.topics import create_instrument_topics
from tests.cli.helpers import invoke
from tests.integration.helpers import Listener, produce, start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def detector_heartbeat_with_lag(messages):
    """The id of a running detector_data service that reports dummy_detector."""
    for _, message in reversed(messages):
        status = message.value
        if (
            isinstance(status, ServiceStatus)
            and status.service_name == "detector_data"
            and status.state is ServiceState.RUNNING
            and status.stream_stats.get("consumer_lag", {}).get("dummy_detector/0")
            is not None
        ):
            return status
    return None


def test_kafka_lag_shows_the_numbers_a_live_service_reports(kafka_broker):
    bootstrap = kafka_broker.bootstrap
    assert create_instrument_topics(get_instrument("dummy"), bootstrap).ok
    listener = Listener(bootstrap)
    service = start_service("detector_data", bootstrap)
    try:
        assert not wait_for_services("dummy", bootstrap, ["detector_data"], timeout=60)
        now_ns = time.time_ns()
        events = [
            ev44_message(
                "dummy_detector", "panel_0", now_ns + i, np.arange(100), np.zeros(100)
            )
            for i in range(20)
        ]
        produce(bootstrap, events)
        status = listener.wait_for(detector_heartbeat_with_lag, timeout=30)
        stats = status.stream_stats
        assert set(stats) >= {"consumer_lag", "consumer_time_lag_s"}
        assert set(stats["consumer_lag"]) == set(stats["consumer_time_lag_s"])
        assert isinstance(stats["consumer_time_lag_s"]["dummy_detector/0"], float)

        result = invoke("kafka", "lag", "--json", "--bootstrap", bootstrap)
        assert result.exit_code == 0, result.stderr
        rows = {
            r["topic"]: r
            for r in json.loads(result.stdout)["rows"]
            if r["group"] == status.service_id
        }
        detector = rows["dummy_detector"]
        assert detector["partition"] == 0
        assert isinstance(detector["offset_lag"], int) and detector["offset_lag"] >= 0
        assert isinstance(detector["time_lag_s"], float)
        assert detector["time_lag_s"] >= 0.0
    finally:
        stop_service(service)
        listener.close()
