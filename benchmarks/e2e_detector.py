"""End-to-end detector_data benchmark on the embedded broker (issue: Kafka layer).

Runs the broker, `livedata fake detectors --rate R` and `livedata service run
detector_data --dev` as real processes and reports, for each offered rate with
one dummy/panel_0_xy job: the rate the producer really achieved (broker offsets
in the window, and the producer's own "sent N messages"), processed events/s
(from the job's published window counts), result latency (wall clock at receipt
minus the end of the data window), the service's CPU (% of one core) and RSS.

Every rate gets a FRESH broker: the embedded broker keeps every record in memory,
so one long run would measure the broker's growth, not the service.

Overload, with the same single job: the service needs ~10% of a core at the
broker's limit (12e6 events/s here), so no producer on this host can offer it
twice what it can process. The overload phase therefore throttles the service
process instead (SIGSTOP/SIGCONT: it runs a fixed share of every 0.2 s), sized
from an unthrottled probe so that the throttled service can process about half
of ``--overload-rate``, checks that with a throttled probe (and corrects the
share once), then offers ``--overload-rate`` for ``--overload-seconds``,
sampling RSS every 5 s, and reports what it processed per second of wall clock,
the drop counters and the consumer lag from its last heartbeat in overload
(what it neither processed nor dropped is still on the broker).

    python benchmarks/e2e_detector.py [--rates 1e6,4e6,8e6,12e6] [--seconds 15]
        [--overload-rate 8e6] [--overload-seconds 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from confluent_kafka import Consumer, TopicPartition

from livedata.control.quick import send_and_wait_for_acks, wait_for_services
from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.status import ServiceStatus
from livedata.core.stream import StreamKind
from livedata.core.timestamp import PULSE_FREQUENCY_HZ
from livedata.instruments import get_instrument
from livedata.kafka.broker import EmbeddedBroker
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.routing import build_client_adapter
from livedata.services.topics import create_instrument_topics

TICKS = os.sysconf("SC_CLK_TCK")
DETECTOR_TOPIC = "dummy_detector"


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


def events_per_message(rate: float) -> int:
    """What the fake puts in one ev44 message (one per 14 Hz pulse)."""
    return max(1, int(rate / PULSE_FREQUENCY_HZ))


def spawn(*args: str, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "livedata", *args],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )


class Producer:
    """`livedata fake detectors` as a process; its own count read on exit."""

    def __init__(self, bootstrap: str, rate: float) -> None:
        self.rate = rate
        self.started = time.monotonic()
        self._process = spawn(
            "fake", "detectors", "--rate", str(rate), "--bootstrap", bootstrap,
            stderr=subprocess.PIPE,
        )  # fmt: skip

    def stop(self) -> dict:
        self._process.terminate()
        _, err = self._process.communicate(timeout=15)
        lifetime = time.monotonic() - self.started
        found = re.search(r"sent (\d+) messages", err or "")
        sent = int(found.group(1)) if found else None
        return {
            "producer_sent_messages": sent,
            "producer_events_per_s_over_lifetime": (
                None
                if sent is None
                else round(sent * events_per_message(self.rate) / lifetime)
            ),
        }


class ResultWatcher(threading.Thread):
    """Window counts of one job and the latest service heartbeat, from Kafka."""

    def __init__(self, bootstrap: str, job_id: JobId) -> None:
        super().__init__(daemon=True)
        self._consumer = Consumer(make_consumer_config(bootstrap, "bench"))
        assign_all(self._consumer, ["dummy_livedata_data", "dummy_livedata_heartbeat"])
        self._adapter = build_client_adapter("dummy", Counters())
        self._job = job_id
        # Only the job's totals are decoded: decoding its images too would slow
        # the watcher and inflate the latencies it measures.
        self._wanted = (str(job_id.job_number).encode(), b"counts_total")
        self.windows: list[tuple[int, float, float]] = []  # (end ns, counts, latency s)
        self.status: ServiceStatus | None = None
        self.beats: list[tuple[int, int]] = []  # (beat time ns, messages processed)
        self._halt = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._halt.is_set():
            for msg in self._consumer.consume(200, 0.1):
                if msg.error():
                    continue
                if msg.topic() == "dummy_livedata_data" and not all(
                    tag in msg.value() for tag in self._wanted
                ):
                    continue
                adapted = self._adapter.adapt(from_confluent(msg))
                if adapted is None:
                    continue
                if isinstance(adapted.value, ServiceStatus):
                    if adapted.value.service_name == "detector_data":
                        self.status = adapted.value
                        self.beats.append(
                            (adapted.timestamp.ns, adapted.value.messages_processed)
                        )
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

    def wait_for_window_end(self, t1: int, timeout: float = 10.0) -> None:
        """Late results (an overloaded service lags) still count for their window."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.windows and self.windows[-1][0] >= t1:
                return
            time.sleep(0.2)

    def processed(self, t0: int, t1: int, per_message: int) -> dict:
        """Processed events/s by data time: the job's window counts of data
        produced in [t0, t1] (what survived drops); as a cross-check, the rate
        from the heartbeats' message count (includes catching up on backlog)."""
        beats = [b for b in self.beats if t0 <= b[0] <= t1]
        rate = None
        if len(beats) >= 2:
            (first_ns, first), (last_ns, last) = beats[0], beats[-1]
            rate = round((last - first) * per_message / span(first_ns, last_ns))
        windows = [w for w in self.windows if t0 <= w[0] <= t1]
        latencies = sorted(w[2] for w in windows)
        return {
            "processed_events_per_s": round(sum(w[1] for w in windows) / span(t0, t1)),
            "processed_events_per_s_heartbeats": rate,
            "latency_s_median": (
                round(latencies[len(latencies) // 2], 2) if latencies else None
            ),
            "windows": len(windows),
        }


def span(t0: int, t1: int) -> float:
    return (t1 - t0) / 1e9


class Offsets:
    """High watermark of the detector topic: what the producer really got in."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = Consumer(make_consumer_config(bootstrap, "bench_offsets"))

    def high(self) -> int:
        _, high = self._consumer.get_watermark_offsets(
            TopicPartition(DETECTOR_TOPIC, 0), timeout=5
        )
        return high

    def close(self) -> None:
        self._consumer.close()


@dataclass
class Stack:
    broker: EmbeddedBroker
    service: subprocess.Popen
    watcher: ResultWatcher
    offsets: Offsets

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap


@contextmanager
def fresh_stack(jobs: int) -> Iterator[Stack]:
    """A new broker, topics, a detector_data service and ``jobs`` xy jobs."""
    with EmbeddedBroker() as broker:
        bootstrap = broker.bootstrap
        assert create_instrument_topics(get_instrument("dummy"), bootstrap).ok
        service = spawn(
            "service", "run", "detector_data", "--dev", "--bootstrap", bootstrap,
            "--log-level", "WARNING",
        )  # fmt: skip
        watcher = offsets = None
        try:
            assert not wait_for_services(
                "dummy", bootstrap, ["detector_data"], timeout=60
            )
            configs = [
                WorkflowConfig(
                    identifier=WorkflowId.parse_str("dummy/panel_0_xy/2"),
                    job_id=JobId(source_name="panel_0", job_number=uuid.uuid4()),
                )
                for _ in range(jobs)
            ]
            assert send_and_wait_for_acks(
                "dummy", bootstrap, configs, timeout=30
            ).all_acked
            watcher = ResultWatcher(bootstrap, configs[0].job_id)
            offsets = Offsets(bootstrap)
            yield Stack(broker, service, watcher, offsets)
        finally:
            if watcher is not None:
                watcher.stop()
            if offsets is not None:
                offsets.close()
            service.terminate()
            service.wait(20)


def measure(stack: Stack, rate: float, seconds: float) -> dict:
    """Offer ``rate`` for ``seconds`` (after 4 s to fill the pipeline)."""
    producer = Producer(stack.bootstrap, rate)
    time.sleep(4)
    pid = stack.service.pid
    t0, c0, h0 = time.time_ns(), cpu_seconds(pid), stack.offsets.high()
    rss = []
    while span(t0, time.time_ns()) < seconds:
        rss.append(rss_mb(pid))
        time.sleep(1)
    t1, c1, h1 = time.time_ns(), cpu_seconds(pid), stack.offsets.high()
    stack.watcher.wait_for_window_end(t1)
    produced = producer.stop()
    return {
        "offered_events_per_s": rate,
        "produced_events_per_s": round(
            (h1 - h0) * events_per_message(rate) / span(t0, t1)
        ),
        **produced,
        **stack.watcher.processed(t0, t1, events_per_message(rate)),
        "cpu_percent_of_core": round(100 * (c1 - c0) / span(t0, t1), 1),
        "rss_mb_max": round(max(rss), 1),
        "broker_rss_mb": round(rss_mb(stack.broker.pid), 1),
    }


class Throttle(threading.Thread):
    """Lets a process run ``share`` of every ``period`` seconds (SIGSTOP/SIGCONT):
    a CPU cap that needs no privileges and touches only our own child."""

    def __init__(self, pid: int, share: float, period: float = 0.2) -> None:
        super().__init__(daemon=True)
        self._pid = pid
        self.share = min(1.0, max(0.005, share))
        self._period = period
        self._halt = threading.Event()
        self.start()

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                os.kill(self._pid, signal.SIGCONT)
                time.sleep(self.share * self._period)
                if self.share < 1.0:
                    os.kill(self._pid, signal.SIGSTOP)
                    self._halt.wait((1 - self.share) * self._period)
        finally:
            os.kill(self._pid, signal.SIGCONT)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def overload(args: argparse.Namespace) -> dict:
    rate = args.overload_rate
    with fresh_stack(jobs=1) as stack:
        free = measure(stack, rate, args.seconds)
    # Processing is one thread: running a share f of the time gives it about
    # f of a core, so half the offered rate needs f = its cpu share / 2.
    share = free["cpu_percent_of_core"] / 100 / 2
    with fresh_stack(jobs=1) as stack:
        throttle = Throttle(stack.service.pid, share)
        try:
            # Throttled cycles are long and beats sparse: a longer probe.
            probe = measure(stack, rate, 2 * args.seconds)
            # Capacity is what it gets through per second of wall clock (the
            # heartbeats' message count), not what its windows add up to later.
            capacity = (
                probe["processed_events_per_s_heartbeats"]
                or probe["processed_events_per_s"]
                or rate / 2
            )
            throttle.share *= (rate / 2) / capacity  # one correction
            producer = Producer(stack.bootstrap, rate)
            time.sleep(4)
            pid = stack.service.pid
            samples = []
            t0, c0, h0 = time.time_ns(), cpu_seconds(pid), stack.offsets.high()
            while span(t0, time.time_ns()) < args.overload_seconds:
                samples.append(round(rss_mb(pid), 1))
                time.sleep(5)
            t1, c1, h1 = time.time_ns(), cpu_seconds(pid), stack.offsets.high()
            samples.append(round(rss_mb(pid), 1))
            status = stack.watcher.status  # while still overloaded
            produced = producer.stop()
            processed = stack.watcher.processed(t0, t1, events_per_message(rate))
        finally:
            throttle.stop()
        broker_rss = round(rss_mb(stack.broker.pid), 1)
    counters = status.counters if status is not None else {}
    done = processed["processed_events_per_s_heartbeats"] or 1.0
    return {
        "jobs": 1,
        "unthrottled_probe": free,
        "throttled_probe": probe,
        "run_share": round(throttle.share, 4),
        "offered_events_per_s": rate,
        "produced_events_per_s": round(
            (h1 - h0) * events_per_message(rate) / span(t0, t1)
        ),
        **produced,
        "processed_events_per_s_wall_clock": done,
        "offered_over_processed": round(rate / done, 2),
        "results_latency_s_median": processed["latency_s_median"],
        "cpu_percent_of_core": round(100 * (c1 - c0) / span(t0, t1), 1),
        "rss_mb_samples": samples,
        "broker_rss_mb": broker_rss,
        "drop_counters": {k: v for k, v in counters.items() if "dropped" in k},
        "consumer_lag": status.stream_stats if status is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="1e6,4e6,8e6,12e6")
    parser.add_argument("--seconds", type=float, default=15)
    # 8e6/s, not the broker's limit: the embedded broker holds every record in
    # memory, ~5 GB over the overload phase at this rate.
    parser.add_argument("--overload-rate", type=float, default=8e6)
    parser.add_argument("--overload-seconds", type=float, default=60)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report: dict = {"rates": [], "overload": None}
    started = time.monotonic()
    for rate in (float(r) for r in args.rates.split(",") if r):
        with fresh_stack(jobs=1) as stack:
            row = measure(stack, rate, args.seconds)
        report["rates"].append(row)
        print(json.dumps(row), flush=True)
    if args.overload_seconds > 0:
        report["overload"] = overload(args)
        print(json.dumps(report["overload"]), flush=True)
    report["wall_s"] = round(time.monotonic() - started)
    print(f"total wall time {report['wall_s']} s", file=sys.stderr)
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
