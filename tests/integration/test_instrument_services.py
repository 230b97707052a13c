"""Every science instrument's four services start offline as real processes on the
embedded broker, report ``running`` in their heartbeats and stop cleanly."""

from __future__ import annotations

import pytest

from livedata.control.quick import wait_for_services
from livedata.instruments import get_instrument
from livedata.services.builder import SERVICES
from livedata.services.topics import create_instrument_topics
from tests.integration.helpers import service_output, start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("instrument", ["dream", "loki", "bifrost", "tbl"])
def test_services_start_offline_and_stop_gracefully(kafka_broker, instrument):
    bootstrap = kafka_broker.bootstrap
    assert create_instrument_topics(get_instrument(instrument), bootstrap).ok
    procs = {name: start_service(name, bootstrap, instrument) for name in SERVICES}
    try:
        silent = wait_for_services(instrument, bootstrap, list(procs), timeout=150)
        assert not silent, {
            name: service_output(procs[name])
            for name in silent
            if procs[name].poll() is not None
        }
    finally:
        codes = {name: stop_service(proc, timeout=60) for name, proc in procs.items()}
    assert codes == dict.fromkeys(SERVICES, 0)
