"""``livedata job`` and ``services status`` as real subprocesses against real services.

One broker, one ``detector_data`` service and one slow fake detector per module;
every CLI call is ``python -m livedata ...`` with ``LIVEDATA_KAFKA_BOOTSTRAP``, so
exit codes, stdout and stderr are exactly what a shell script would see.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid

import pytest

from livedata.cli.common import ExitCode
from livedata.control.quick import wait_for_services
from livedata.core.identifiers import JobId, WorkflowId
from livedata.instruments import get_instrument
from tests.cli.helpers import run_cli
from tests.integration.helpers import start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKFLOW = "dummy/panel_0_xy/2"


@pytest.fixture(scope="module")
def service(bootstrap):
    proc = start_service("detector_data", bootstrap)
    fake = subprocess.Popen(
        [
            *(sys.executable, "-m", "livedata", "fake", "detectors"),
            *("--instrument", "dummy", "--rate", "20000", "--bootstrap", bootstrap),
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        missing = wait_for_services("dummy", bootstrap, ["detector_data"], timeout=60)
        assert not missing, f"no heartbeat from {missing}"
        yield proc
    finally:
        stop_service(fake, signal.SIGINT)
        stop_service(proc)


@pytest.fixture(scope="module")
def cli(bootstrap):
    """``livedata ARGS`` as a subprocess on the module's broker."""

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {"LIVEDATA_KAFKA_BOOTSTRAP": bootstrap, "LIVEDATA_INSTRUMENT": "dummy"}
        return run_cli(*args, env=env, timeout=timeout)

    return run


@pytest.fixture(scope="module")
def started(service, cli) -> subprocess.CompletedProcess:
    """The module's one long-lived job, started through the CLI."""
    return cli("job", "start", "--workflow", WORKFLOW, "--timeout", "20")


@pytest.fixture(scope="module")
def job_id(started) -> str:
    assert started.returncode == ExitCode.OK, started.stderr
    return started.stdout.strip()


def _jobs(cli, *extra: str) -> list[dict]:
    result = cli("job", "list", "--json", *extra)
    assert result.returncode == ExitCode.OK, result.stderr
    return json.loads(result.stdout)


def test_job_start_prints_the_job_id_after_the_ack(started) -> None:
    assert started.returncode == ExitCode.OK, started.stderr
    lines = started.stdout.strip().splitlines()
    assert len(lines) == 1
    parsed = JobId.model_validate(lines[0])
    assert parsed.source_name == "panel_0"
    assert started.stderr.strip().endswith(f"start {WORKFLOW} on panel_0: ACK")


def test_job_list_shows_the_job_active(cli, job_id) -> None:
    table = cli("job", "list")
    assert table.returncode == ExitCode.OK, table.stderr
    row = next(line for line in table.stdout.splitlines() if job_id in line)
    assert "active" in row and WORKFLOW in row
    documents = _jobs(cli)
    mine = [d for d in documents if d["job_id"] == job_id]
    assert len(mine) == 1
    assert mine[0]["workflow_id"] == WORKFLOW
    assert mine[0]["state"] == "active"


def test_job_status_of_one_job(cli, job_id) -> None:
    table = cli("job", "status", job_id)
    assert table.returncode == ExitCode.OK, table.stderr
    assert job_id in table.stdout and "active" in table.stdout
    by_number = cli("job", "status", job_id.rpartition("/")[2], "--json")
    assert by_number.returncode == ExitCode.OK, by_number.stderr
    document = json.loads(by_number.stdout)
    assert document["job_id"] == job_id
    assert document["workflow_id"] == WORKFLOW


def test_job_status_of_an_unknown_job_exits_1(cli, service) -> None:
    unknown = f"panel_0/{uuid.uuid4()}"
    result = cli("job", "status", unknown, "--wait", "2.5")
    assert result.returncode == ExitCode.ERROR
    assert (
        result.stderr.strip() == f"error: job {unknown} not seen in 2.5 s of heartbeats"
    )


def test_services_status_shows_the_service_ok(cli, service) -> None:
    table = cli("services", "status")
    assert table.returncode == ExitCode.OK, table.stderr
    row = next(line for line in table.stdout.splitlines() if "detector_data" in line)
    assert row.split()[0] == "OK"
    as_json = cli("services", "status", "--json")
    assert as_json.returncode == ExitCode.OK, as_json.stderr
    documents = json.loads(as_json.stdout)
    mine = [d for d in documents if d["service_name"] == "detector_data"]
    assert len(mine) == 1
    assert mine[0]["health"] == "OK"


def test_kafka_peek_of_the_commands_topic_shows_the_command(cli, job_id) -> None:
    result = cli(
        "kafka", "peek", "dummy_livedata_commands", "--from", "beginning",
        "--count", "100", "--timeout", "5", "--json",
    )  # fmt: skip
    assert result.returncode == ExitCode.OK, result.stderr
    text = json.dumps(json.loads(result.stdout))
    assert job_id.rpartition("/")[2] in text
    assert "panel_0_xy" in text


def test_results_tail_shows_results_of_the_started_job(cli, job_id) -> None:
    result = cli(
        "results", "tail", "--workflow", WORKFLOW, "--count", "3",
        "--timeout", "15", "--json",
    )  # fmt: skip
    assert result.returncode == ExitCode.OK, result.stderr
    lines = json.loads(result.stdout)
    assert len(lines) == 3
    assert {line["job_id"] for line in lines} == {job_id}
    spec = get_instrument("dummy").workflows.spec(WorkflowId.parse_str(WORKFLOW))
    assert {line["output_name"] for line in lines} <= set(spec.outputs)


def test_job_reset_of_a_workflow_is_acknowledged(cli, job_id) -> None:
    result = cli("job", "reset", "--workflow", WORKFLOW, "--timeout", "20")
    assert result.returncode == ExitCode.OK, result.stderr
    assert result.stderr.strip().endswith(f"reset {job_id}: ACK")


def test_job_stop_acknowledged_and_the_job_leaves_the_list(cli, service) -> None:
    start = cli("job", "start", "-w", "dummy/panel_0_logical", "--json")
    assert start.returncode == ExitCode.OK, start.stderr
    document = json.loads(start.stdout)
    assert document["outcome"] == "ACK"
    assert document["rejected"] == [] and document["missing"] == []
    (stopping,) = document["acknowledged"]
    stop = cli("job", "stop", stopping, "--timeout", "20")
    assert stop.returncode == ExitCode.OK, stop.stderr
    assert stop.stderr.strip().endswith(f"stop {stopping}: ACK")
    remaining = _jobs(cli)
    assert not [
        d for d in remaining if d["job_id"] == stopping and d["state"] != "stopped"
    ]


def test_start_with_no_owning_service_exits_3(cli, service) -> None:
    # monitor_histogram belongs to monitor_data, which is not running here.
    result = cli("job", "start", "-w", "dummy/monitor_histogram", "--timeout", "1.5")
    assert result.returncode == ExitCode.NO_ACK, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(": timeout")
    assert "no answer within 1.5 s from the services of dummy" in result.stderr
    assert result.stdout == ""  # no job id: nothing acknowledged it


def test_params_the_factory_rejects_give_err_and_exit_4(cli, service) -> None:
    # The spec accepts downsample=3 (1..64), the factory does not: 3 does not
    # divide the 256 x 256 camera shape.
    result = cli(
        "job", "start", "-w", "dummy/area_panel_xy", "-p", "downsample=3",
        "--timeout", "20",
    )  # fmt: skip
    assert result.returncode == ExitCode.ERR, result.stderr
    assert "area_panel: ERR ValueError: downsample 3 does not divide" in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(": ERR")
    assert result.stdout == ""  # no job id: nothing runs


def test_job_reset_all_is_acknowledged_by_the_running_job(cli, job_id) -> None:
    result = cli("job", "reset", "--all", "--timeout", "20")
    assert result.returncode == ExitCode.OK, result.stderr
    assert job_id in result.stdout.split()
    assert result.stderr.strip().endswith("reset all jobs: ACK")
    assert job_id in {d["job_id"] for d in _jobs(cli) if d["state"] != "stopped"}


# Last in the module: it stops the module's long-lived job too.
def test_job_stop_all_then_there_is_nothing_left_to_stop(cli, job_id) -> None:
    other = cli("job", "start", "-w", "dummy/panel_0_logical", "--timeout", "20")
    assert other.returncode == ExitCode.OK, other.stderr
    stop = cli("job", "stop", "--all", "--timeout", "20", "--json")
    assert stop.returncode == ExitCode.OK, stop.stderr
    document = json.loads(stop.stdout)
    assert document["outcome"] == "ACK"
    assert {job_id, other.stdout.strip()} <= set(document["acknowledged"])
    assert not [d for d in _jobs(cli) if d["state"] != "stopped"]
    again = cli("job", "stop", "--all", "--timeout", "20")
    assert again.returncode == ExitCode.OK, again.stderr
    assert again.stderr.strip() == "no jobs to stop (all jobs of dummy)"
