"""How long `livedata job start` takes from a shell, acknowledgement included.

Starts the embedded broker and a `detector_data` service (or, with
`--bootstrap`, uses a running system such as `livedata demo`), then runs
`livedata job start --workflow dummy/panel_0_xy` as a subprocess N times and
reports the wall-clock median, min and max from process start to exit (goal:
<= 1 s). Each started job is stopped again, untimed, so runs do not pile up
jobs on a live system. Then it runs once more under `python -X importtime` and
lists the imports that cost the most, which is where a slow start-up hides.

    python benchmarks/cli_job_start.py [--runs 10] [--top 12] [--json]
        [--bootstrap HOST:PORT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

from livedata.control.quick import wait_for_services
from livedata.instruments import get_instrument
from livedata.kafka.broker import EmbeddedBroker
from livedata.services.topics import create_instrument_topics

GOAL_S = 1.0
COMMAND = ("job", "start", "--workflow", "dummy/panel_0_xy", "--timeout", "10")


@dataclass(frozen=True)
class ImportCost:
    module: str
    self_ms: float
    cumulative_ms: float


@dataclass(frozen=True)
class Report:
    runs: int
    median_s: float
    min_s: float
    max_s: float
    failures: int
    python_baseline_s: float  # `python -c pass`: what the machine's load costs
    import_total_ms: float
    top_imports: list[ImportCost]


def cli_env(bootstrap: str) -> dict[str, str]:
    return {
        **os.environ,
        "LIVEDATA_KAFKA_BOOTSTRAP": bootstrap,
        "LIVEDATA_INSTRUMENT": "dummy",
    }


def time_one(env: dict[str, str], *python_flags: str) -> tuple[float, int, str]:
    """Wall-clock seconds from process start to exit, exit code, stderr.

    The job it started is stopped afterwards (not timed).
    """
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *python_flags, "-m", "livedata", *COMMAND],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    seconds = time.perf_counter() - began
    for job_id in done.stdout.split():
        stopped = subprocess.run(
            [sys.executable, "-m", "livedata", "job", "stop", job_id],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if stopped.returncode != 0:  # left running: say so, the runs go on
            print(
                f"job {job_id} not stopped: {stopped.stderr.strip()}", file=sys.stderr
            )
    return seconds, done.returncode, done.stderr


def import_costs(stderr: str) -> list[ImportCost]:
    """The outermost imports of ``-X importtime``'s stderr, costliest first.

    Outermost (not nested in another import) means the module-level imports of
    ``livedata/__main__`` and the imports done lazily inside functions: their
    cumulative time is what each of them adds to the command.
    """
    costs = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        if name.startswith("  "):  # nested: counted in its parent's cumulative
            continue
        costs.append(
            ImportCost(name.strip(), float(self_us) / 1000, float(cumulative_us) / 1000)
        )
    return sorted(costs, key=lambda c: c.cumulative_ms, reverse=True)


def python_baseline(runs: int = 5) -> float:
    """Median wall time of an empty interpreter: on a loaded machine every
    figure above grows with it, so it is reported alongside."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(bootstrap: str, runs: int) -> tuple[list[float], int, str]:
    """Timed runs against a broker whose ``detector_data`` service beats."""
    missing = wait_for_services("dummy", bootstrap, ["detector_data"], timeout=60)
    if missing:
        raise SystemExit(f"no heartbeat from {missing}")
    env = cli_env(bootstrap)
    time_one(env)  # warm the OS file cache and the bytecode
    times, failures = [], 0
    for _ in range(runs):
        seconds, code, stderr = time_one(env)
        times.append(seconds)
        if code != 0:
            failures += 1
            print(f"exit {code}: {stderr.strip()}", file=sys.stderr)
    _, _, stderr = time_one(env, "-X", "importtime")
    return times, failures, stderr


def run(runs: int, top: int, bootstrap: str | None = None) -> Report:
    if bootstrap is not None:
        times, failures, stderr = measure(bootstrap, runs)
    else:
        with EmbeddedBroker() as broker:
            report = create_instrument_topics(get_instrument("dummy"), broker.bootstrap)
            assert report.ok, report
            service = subprocess.Popen(
                [
                    *(sys.executable, "-m", "livedata", "service", "run"),
                    *("detector_data", "--instrument", "dummy", "--dev"),
                    *("--bootstrap", broker.bootstrap),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                times, failures, stderr = measure(broker.bootstrap, runs)
            finally:
                service.terminate()
                service.wait(20)
    costs = import_costs(stderr)
    return Report(
        runs=runs,
        median_s=statistics.median(times),
        min_s=min(times),
        max_s=max(times),
        failures=failures,
        python_baseline_s=python_baseline(),
        import_total_ms=sum(c.cumulative_ms for c in costs),
        top_imports=costs[:top],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--bootstrap", help="a running system (e.g. `livedata demo`) to measure on"
    )
    args = parser.parse_args()
    report = run(args.runs, args.top, args.bootstrap)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
        return
    verdict = "OK" if report.median_s <= GOAL_S else "over the goal"
    print(
        f"livedata {' '.join(COMMAND)}: {report.runs} runs, "
        f"median {report.median_s:.3f} s, min {report.min_s:.3f} s, "
        f"max {report.max_s:.3f} s, {report.failures} failed "
        f"(goal <= {GOAL_S:g} s: {verdict})"
    )
    print(f"python -c pass: median {report.python_baseline_s:.3f} s (machine load)")
    print(f"imports: {report.import_total_ms:.0f} ms in total; costliest outermost:")
    for cost in report.top_imports:
        print(
            f"  {cost.module:<36} {cost.cumulative_ms:7.1f} ms"
            f" (self {cost.self_ms:.1f} ms)"
        )


if __name__ == "__main__":
    main()
