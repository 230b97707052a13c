"""End-to-end dream/powder on the embedded broker: the largest rate without drops.

For each offered rate, on a FRESH broker (it keeps every record in memory): the
data_reduction service for DREAM, one dream/powder job on the mantle (cave
monitor), and the DREAM fakes (``livedata fake detectors -i dream --rate R``
split over the banks, ``livedata fake monitors -i dream``) as real processes.
Over ``--seconds`` it reads the service's heartbeats (queue drops, messages
processed) and the job's results (latency: wall clock at receipt minus the end
of the data window). A rate is sustained when nothing was dropped and the last
results are less than ``--max-latency`` seconds behind.

    python benchmarks/e2e_reduction.py [--rates 1e6,2e6,4e6] [--seconds 30] [--json]

Everything shares this machine's cores with the broker and the fakes; on a
loaded host the figure is a lower bound.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import uuid

from confluent_kafka import Consumer

from livedata.control.quick import send_and_wait_for_acks, wait_for_services
from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey
from livedata.core.metrics import Counters
from livedata.core.status import ServiceStatus
from livedata.core.stream import StreamKind
from livedata.instruments import get_instrument
from livedata.instruments.dream import banks
from livedata.kafka.broker import EmbeddedBroker
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.routing import build_client_adapter
from livedata.services.topics import create_instrument_topics


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Watcher(threading.Thread):
    def __init__(self, bootstrap: str, job_id: JobId) -> None:
        super().__init__(daemon=True)
        self._consumer = Consumer(make_consumer_config(bootstrap, "bench"))
        assign_all(self._consumer, ["dream_livedata_data", "dream_livedata_heartbeat"])
        self._adapter = build_client_adapter("dream", Counters())
        self._job = job_id
        self._tag = str(job_id.job_number).encode()
        self.latencies: list[tuple[float, float]] = []  # (receipt, latency s)
        self.status: ServiceStatus | None = None
        self.errors: list[str] = []
        self._halt = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._halt.is_set():
            for msg in self._consumer.consume(100, 0.1):
                if msg.error():
                    continue
                if msg.topic() == "dream_livedata_data" and self._tag not in (
                    msg.value() or b""
                ):
                    continue
                try:
                    adapted = self._adapter.adapt(from_confluent(msg))
                except Exception as error:  # a watcher must not die silently
                    self.errors.append(repr(error))
                    continue
                if adapted is None:
                    continue
                if isinstance(adapted.value, ServiceStatus):
                    if adapted.value.service_name == "data_reduction":
                        self.status = adapted.value
                    continue
                if adapted.stream.kind is not StreamKind.LIVEDATA_DATA:
                    continue
                key = ResultKey.from_json(adapted.stream.name)
                if key.job_id == self._job and key.output_name == "i_of_dspacing":
                    end = int(adapted.value.coords["time"].value)
                    now = time.time_ns()
                    self.latencies.append((now / 1e9, (now - end) / 1e9))
        self._consumer.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def measure(rate: float, seconds: float, max_latency: float) -> dict:
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap
        assert create_instrument_topics(get_instrument("dream"), bootstrap).ok
        service = spawn(
            "service", "run", "data_reduction", "--instrument", "dream", "--dev",
            "--bootstrap", bootstrap, "--log-level", "WARNING",
        )  # fmt: skip
        fakes: list[subprocess.Popen] = []
        watcher = None
        try:
            assert not wait_for_services(
                "dream", bootstrap, ["data_reduction"], timeout=120
            )
            spec = next(
                s
                for s in get_instrument("dream").workflows.specs()
                if s.name == "powder"
            )
            config = WorkflowConfig(
                identifier=spec.workflow_id,
                job_id=JobId(source_name=banks.MANTLE.name, job_number=uuid.uuid4()),
                aux_source_names={"monitor": banks.MONITOR_CAVE},
            )
            assert send_and_wait_for_acks(
                "dream", bootstrap, [config], timeout=120
            ).all_acked
            watcher = Watcher(bootstrap, config.job_id)
            fakes = [
                spawn("fake", "detectors", "-i", "dream", "--rate", str(rate),
                      "--bootstrap", bootstrap),
                spawn("fake", "monitors", "-i", "dream", "--bootstrap", bootstrap),
            ]  # fmt: skip
            # The fakes take a while to start (imports, event pools): time the
            # window from the first result on.
            deadline = time.monotonic() + 180
            while not watcher.latencies and time.monotonic() < deadline:
                time.sleep(1)
            first = len(watcher.latencies)
            start_counters = dict(watcher.status.counters) if watcher.status else {}
            time.sleep(seconds)
            status = watcher.status
            counters = status.counters if status is not None else {}
            recent = [lat for t, lat in watcher.latencies if t > time.time() - 5]
            dropped = {
                k: v - start_counters.get(k, 0)
                for k, v in counters.items()
                if "dropped" in k and v > start_counters.get(k, 0)
            }
            return {
                "offered_events_per_s": rate,
                "seconds": seconds,
                "results": len(watcher.latencies) - first,
                "watcher_errors": watcher.errors[:3],
                "latency_s_last": round(recent[-1], 2) if recent else None,
                "dropped": dropped,
                "messages_processed": status.messages_processed if status else None,
                "counters": counters,
                "sustained": bool(recent and not dropped and recent[-1] < max_latency),
            }
        finally:
            for fake in fakes:
                fake.terminate()
                try:
                    fake.wait(30)
                except subprocess.TimeoutExpired:
                    fake.kill()
                    fake.wait(10)
            if watcher is not None:
                watcher.stop()
            service.terminate()
            service.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="1e6,2e6,4e6")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-latency", type=float, default=3.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for rate in (float(r) for r in args.rates.split(",")):
        row = measure(rate, args.seconds, args.max_latency)
        rows.append(row)
        print(row, file=sys.stderr, flush=True)
    sustained = [r["offered_events_per_s"] for r in rows if r["sustained"]]
    summary = {"rows": rows, "largest_sustained": max(sustained, default=None)}
    print(json.dumps(summary) if args.json else summary)


if __name__ == "__main__":
    main()
