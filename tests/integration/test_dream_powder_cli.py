"""DREAM powder end to end: fakes -> broker -> data_reduction -> I(d), started by the CLI.

The fakes put powder lines at 1.5 and 2.0 Å (livedata/instruments/dream/fake.py);
a job started with ``livedata job start`` must find them there in the decoded da00
results on ``dream_livedata_data``. Everything but the result reader runs as a
real subprocess, as in production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
import scipp as sc
from confluent_kafka import Consumer

from livedata.cli.common import ExitCode
from livedata.control.quick import wait_for_services
from livedata.core.identifiers import ResultKey
from livedata.core.metrics import Counters
from livedata.instruments import get_instrument
from livedata.instruments.dream import banks
from livedata.instruments.dream.fake import D_LINES_ANGSTROM
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.routing import build_client_adapter
from livedata.services.topics import create_instrument_topics
from tests.cli.helpers import run_cli
from tests.integration.helpers import start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DATA_TOPIC = "dream_livedata_data"
BANK = banks.MANTLE.name


def _fake(kind: str, bootstrap: str, rate: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "livedata", "fake", kind, "--instrument", "dream"),
            *("--rate", rate, "--bootstrap", bootstrap),
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def bootstrap(kafka_broker) -> str:
    report = create_instrument_topics(get_instrument("dream"), kafka_broker.bootstrap)
    assert report.ok
    return kafka_broker.bootstrap


@pytest.fixture(scope="module")
def running_system(bootstrap) -> Iterator[None]:
    """data_reduction for DREAM plus the powder detector and monitor fakes."""
    procs = [
        start_service("data_reduction", bootstrap, instrument="dream"),
        _fake("detectors", bootstrap, "200000"),
        _fake("monitors", bootstrap, "20000"),
    ]
    try:
        missing = wait_for_services("dream", bootstrap, ["data_reduction"], timeout=90)
        assert not missing, f"no heartbeat from {missing}"
        yield
    finally:
        for proc in reversed(procs):
            stop_service(proc, signal.SIGINT)


class ResultReader:
    """Decoded da00 results of one output, read on a thread from the data topic."""

    def __init__(self, bootstrap: str, output_name: str) -> None:
        self._consumer = Consumer(make_consumer_config(bootstrap, "test_powder"))
        assign_all(self._consumer, [DATA_TOPIC], at="end")
        self._adapter = build_client_adapter("dream", Counters())
        self._output = output_name
        self._lock = threading.Lock()
        self._latest: dict[str, sc.DataArray] = {}  # by job id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for msg in self._consumer.consume(num_messages=100, timeout=0.2):
                    if msg.error():
                        continue
                    message = self._adapter.adapt(from_confluent(msg))
                    if message is None:
                        continue
                    key = ResultKey.from_json(message.stream.name)
                    if key.output_name == self._output:
                        with self._lock:
                            self._latest[str(key.job_id)] = message.value
        finally:
            self._consumer.close()

    def wait_for(self, job_id: str, min_total: float, timeout: float) -> sc.DataArray:
        """The job's latest result once its sum passed ``min_total``."""
        deadline = time.monotonic() + timeout
        latest = None
        while time.monotonic() < deadline:
            with self._lock:
                latest = self._latest.get(job_id)
            if latest is not None and np.nansum(latest.values) > min_total:
                return latest
            time.sleep(0.2)
        raise AssertionError(f"no (big enough) result for {job_id}: {latest}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


def _peaks(i_of_d: sc.DataArray, count: int, exclusion: float) -> list[float]:
    """Centres of the ``count`` highest bins at least ``exclusion`` Å apart."""
    edges = i_of_d.coords["dspacing"].to(unit="angstrom").values
    centres = 0.5 * (edges[:-1] + edges[1:])
    values = np.nan_to_num(np.asarray(i_of_d.values, dtype=float), nan=0.0)
    found = []
    for _ in range(count):
        best = int(np.argmax(values))
        found.append(float(centres[best]))
        values[np.abs(centres - centres[best]) < exclusion] = 0.0
    return sorted(found)


def test_powder_job_started_by_the_cli_finds_the_fake_lines(
    bootstrap, running_system
) -> None:
    reader = ResultReader(bootstrap, "i_of_dspacing")
    try:
        started = run_cli(
            *("job", "start", "--workflow", "dream/powder", "--source", BANK),
            *("--aux", f"monitor={banks.MONITOR_CAVE}", "--timeout", "60"),
            env={"LIVEDATA_KAFKA_BOOTSTRAP": bootstrap},
            timeout=120,
        )
        assert started.returncode == ExitCode.OK, started.stderr
        (job_id,) = started.stdout.split()
        assert job_id.startswith(f"{BANK}/")
        i_of_d = reader.wait_for(job_id, min_total=0.0, timeout=60)
    finally:
        reader.close()

    assert i_of_d.dims == ("dspacing",)
    edges = i_of_d.coords["dspacing"].to(unit="angstrom").values
    width = float(edges[1] - edges[0])
    values = np.nan_to_num(np.asarray(i_of_d.values, dtype=float))
    assert np.all(values >= 0.0)
    peaks = _peaks(i_of_d, count=len(D_LINES_ANGSTROM), exclusion=0.2)
    assert peaks == pytest.approx(sorted(D_LINES_ANGSTROM), abs=2 * width)
    # Lines, not noise: each peak stands far above the flat background.
    background = float(np.median(values[values > 0]))
    for d in D_LINES_ANGSTROM:
        near = np.abs(0.5 * (edges[:-1] + edges[1:]) - d) < 2 * width
        assert values[near].max() > 5 * background
