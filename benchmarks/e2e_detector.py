"""End-to-end detector_data benchmark on the embedded broker (issue: Kafka layer).

Runs the broker, `livedata fake detectors --rate R` and `livedata service run
detector_data` as real processes with one dummy/panel_0_xy job, and reports for each
offered rate: processed events/s (from the job's published window counts), result
latency (wall clock at receipt minus the end of the data window), the service's CPU
(% of one core) and RSS. Then it offers twice the sustainable rate for a while and
reports RSS over time and the drop counters from the service heartbeat.

    python benchmarks/e2e_detector.py [--rates 1e6,4e6,8e6,12e6] [--seconds 20]
                                      [--overload-seconds 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid

from confluent_kafka import Consumer

from livedata.control.quick import send_and_wait_for_acks, wait_for_services
from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.status import ServiceStatus
from livedata.core.stream import StreamKind
from livedata.instruments import get_instrument
from livedata.kafka.broker import EmbeddedBroker
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.routing import build_client_adapter
from livedata.services.topics import create_instrument_topics

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class ResultWatcher(threading.Thread):
    """Window counts of one job and the latest service counters, from Kafka."""

    def __init__(self, bootstrap: str, job_id: JobId) -> None:
        super().__init__(daemon=True)
        self._consumer = Consumer(make_consumer_config(bootstrap, "bench"))
        assign_all(self._consumer, ["dummy_livedata_data", "dummy_livedata_heartbeat"])
        self._adapter = build_client_adapter("dummy", Counters())
        self._job = job_id
        self.windows: list[tuple[int, float, float]] = []  # (end ns, counts, latency s)
        self.counters: dict[str, int] = {}
        self._halt = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._halt.is_set():
            for msg in self._consumer.consume(200, 0.1):
                if msg.error():
                    continue
                adapted = self._adapter.adapt(from_confluent(msg))
                if adapted is None:
                    continue
                if isinstance(adapted.value, ServiceStatus):
                    if adapted.value.service_name == "detector_data":
                        self.counters = adapted.value.counters
                    continue
                if adapted.stream.kind is not StreamKind.LIVEDATA_DATA:
                    continue
                key = ResultKey.from_json(adapted.stream.name)
                if key.job_id == self._job and key.output_name == "counts_total":
                    end = int(adapted.value.coords["time"].value)
                    latency = (time.time_ns() - end) / 1e9
                    self.windows.append((end, float(adapted.value.value), latency))
        self._consumer.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def measure(
    service: subprocess.Popen, watcher: ResultWatcher, rate: float, seconds: float
):
    producer = spawn("fake", "detectors", "--rate", str(rate), "--bootstrap", BOOTSTRAP)
    time.sleep(4)  # let the pipeline fill
    t0, c0 = time.time_ns(), cpu_seconds(service.pid)
    rss = []
    while (time.time_ns() - t0) / 1e9 < seconds:
        rss.append(rss_mb(service.pid))
        time.sleep(1)
    t1, c1 = time.time_ns(), cpu_seconds(service.pid)
    time.sleep(3)  # results of the last windows arrive
    producer.terminate()
    producer.wait(10)
    print("debug", len(watcher.windows), watcher.windows[-3:], t0, t1, file=sys.stderr)
    windows = [w for w in watcher.windows if t0 <= w[0] <= t1]
    span = (t1 - t0) / 1e9
    return {
        "offered_events_per_s": rate,
        "processed_events_per_s": sum(w[1] for w in windows) / span,
        "latency_s_median": sorted(w[2] for w in windows)[len(windows) // 2]
        if windows
        else None,
        "cpu_percent_of_core": 100 * (c1 - c0) / span,
        "rss_mb_max": max(rss),
        "windows": len(windows),
    }


def main() -> None:
    global BOOTSTRAP
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="1e6,4e6,8e6,12e6")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--overload-seconds", type=float, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {"rates": [], "overload": None}
    with EmbeddedBroker() as broker:
        BOOTSTRAP = broker.bootstrap
        assert create_instrument_topics(get_instrument("dummy"), BOOTSTRAP).ok
        service = spawn(
            "service",
            "run",
            "detector_data",
            "--bootstrap",
            BOOTSTRAP,
            "--log-level",
            "WARNING",
        )
        try:
            assert not wait_for_services(
                "dummy", BOOTSTRAP, ["detector_data"], timeout=60
            )
            cfg = WorkflowConfig(
                identifier=WorkflowId.parse_str("dummy/panel_0_xy/1"),
                job_id=JobId(source_name="panel_0", job_number=uuid.uuid4()),
            )
            assert send_and_wait_for_acks(
                "dummy", BOOTSTRAP, [cfg], timeout=30
            ).all_acked
            watcher = ResultWatcher(BOOTSTRAP, cfg.job_id)
            best = 0.0
            for rate in (float(r) for r in args.rates.split(",")):
                row = measure(service, watcher, rate, args.seconds)
                best = max(best, row["processed_events_per_s"])
                report["rates"].append(row)
                print(json.dumps(row), flush=True)
            if args.overload_seconds > 0:
                rate = 2 * best
                producer = spawn(
                    "fake", "detectors", "--rate", str(rate), "--bootstrap", BOOTSTRAP
                )
                samples = []
                start = time.monotonic()
                while time.monotonic() - start < args.overload_seconds:
                    samples.append(round(rss_mb(service.pid), 1))
                    time.sleep(5)
                producer.terminate()
                producer.wait(10)
                time.sleep(3)
                report["overload"] = {
                    "offered_events_per_s": rate,
                    "rss_mb_samples": samples,
                    "drop_counters": {
                        k: v
                        for k, v in watcher.counters.items()
                        if "overflow" in k or "dropped" in k
                    },
                }
                print(json.dumps(report["overload"]), flush=True)
            watcher.stop()
        finally:
            service.terminate()
            service.wait(20)
    if args.json:
        print(json.dumps(report))


BOOTSTRAP = ""

if __name__ == "__main__":
    main()
