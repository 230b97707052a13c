"""Soak: the dummy demo's services, fakes and default jobs for 10 minutes on
the embedded broker, memory sampled (issue 11). Every process stays alive,
every default job keeps publishing, no service grows past its bound, and clean
data is never counted as bad.

The fakes run at a fifth of the demo's default event rates: the embedded broker
keeps every record (no retention, ~13 MB/s at full rate), and 10 minutes at
full rate would take 8 GB of the CI host for the broker alone. The camera fake
still sends 14 frames a second (~6 MB/s measured), so the broker's bound is a
growth allowance, not a constant.
``LIVEDATA_SOAK_S`` shortens or lengthens the run (default 600 s).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time

import pytest
from confluent_kafka import Consumer

from livedata.cli.demo_run import default_job_configs, start_processes, stop_processes
from livedata.control.quick import send_and_wait_for_acks, wait_for_services
from livedata.core.identifiers import ResultKey
from livedata.core.metrics import Counters
from livedata.core.status import ServiceStatus
from livedata.instruments import get_instrument
from livedata.kafka.broker import EmbeddedBroker
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.routing import build_client_adapter
from livedata.services.topics import create_instrument_topics

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOAK_S = float(os.environ.get("LIVEDATA_SOAK_S", "600"))
SERVICE_MAX_MB = 1500
RATES = {"detectors": 2e5, "area": 2e4, "monitors": 2e3, "logs": 2.0}
# What the broker may hold after the run: start-up plus ~10 MB/s (6 measured).
BROKER_MAX_MB = 1000 + 10 * SOAK_S


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Freshness:
    """When each job last published, and the last heartbeat of each service;
    keeps no results (a soak would hold gigabytes of images)."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = Consumer(make_consumer_config(bootstrap, "soak"))
        assign_all(
            self._consumer, ["dummy_livedata_data", "dummy_livedata_heartbeat"], "end"
        )
        self._adapter = build_client_adapter("dummy", Counters())
        self.last_result: dict[str, float] = {}
        self.beats: dict[str, ServiceStatus] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for msg in self._consumer.consume(500, 0.2):
                if msg.error():
                    continue
                if msg.topic() == "dummy_livedata_data":
                    key = ResultKey.from_json(msg.key().decode()) if msg.key() else None
                    if key is None:
                        adapted = self._adapter.adapt(from_confluent(msg))
                        key = ResultKey.from_json(adapted.stream.name)
                    self.last_result[str(key.job_id)] = time.monotonic()
                else:
                    adapted = self._adapter.adapt(from_confluent(msg))
                    if adapted is not None and isinstance(adapted.value, ServiceStatus):
                        self.beats[adapted.value.service_name] = adapted.value
        self._consumer.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.mark.timeout(SOAK_S + 420)
def test_demo_rates_for_ten_minutes_stay_bounded_and_fresh() -> None:
    instrument = get_instrument("dummy")
    log_dir = tempfile.mkdtemp(prefix="livedata-soak-")
    with EmbeddedBroker() as broker:
        assert create_instrument_topics(instrument, broker.bootstrap).ok
        procs = start_processes(instrument, broker.bootstrap, log_dir, RATES)
        watch = None
        try:
            everything = {**procs.services, **procs.fakes}
            assert not wait_for_services(
                "dummy", broker.bootstrap, list(procs.services), timeout=120
            )
            configs = default_job_configs(instrument)
            outcome = send_and_wait_for_acks(
                "dummy", broker.bootstrap, configs, timeout=60
            )
            assert outcome.all_acked, outcome.missing
            watch = Freshness(broker.bootstrap)
            peak: dict[str, float] = {}
            broker_peak = 0.0
            start = time.monotonic()
            while time.monotonic() - start < SOAK_S:
                time.sleep(10)
                dead = [n for n, p in everything.items() if p.poll() is not None]
                assert not dead, f"died: {dead} (logs in {log_dir})"
                assert broker.death() is None
                for name, proc in procs.services.items():
                    peak[name] = max(peak.get(name, 0.0), rss_mb(proc.pid))
                broker_peak = max(broker_peak, (broker.rss_bytes() or 0) / 2**20)
            now = time.monotonic()
            stale = {
                str(c.job_id): round(now - watch.last_result.get(str(c.job_id), 0.0))
                for c in configs
                if now - watch.last_result.get(str(c.job_id), 0.0) > 15
            }
            print(
                f"soak {SOAK_S:.0f} s: broker peak {broker_peak:.0f} MB;"
                " service peaks (MB) "
                + ", ".join(f"{k} {v:.0f}" for k, v in sorted(peak.items()))
            )
            assert not stale, f"jobs without results for > 15 s: {stale}"
            assert all(v < SERVICE_MAX_MB for v in peak.values()), peak
            assert broker_peak < BROKER_MAX_MB
            for name, beat in watch.beats.items():
                bad = {
                    k: v
                    for k, v in beat.counters.items()
                    if k.startswith(("adapt_errors", "invalid_input", "nonfinite"))
                }
                assert not bad, f"{name} counted clean data as bad: {bad}"
            assert set(watch.beats) >= set(procs.services)
        finally:
            if watch is not None:
                watch.close()
            stop_processes(procs)
