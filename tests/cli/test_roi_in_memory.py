"""``livedata roi`` refusals on the in-memory bus (real services, no Kafka):
every one exits 2 in one line and leaves the ROI topic empty."""

from __future__ import annotations

import pytest

from livedata.cli.common import ExitCode
from tests.cli.helpers import invoke
from tests.cli.memory_cli import MemorySystem

pytestmark = pytest.mark.slow  # real services are built per test (~7 s)

ROI_TOPIC = "dummy_livedata_roi"


@pytest.fixture
def system():
    system = MemorySystem("monitor_data", "detector_data")
    with system.installed():
        yield system


def run(*args: str, instrument: str | None = "dummy"):
    env = {"LIVEDATA_INSTRUMENT": instrument} if instrument else {}
    return invoke(*args, env=env)


def start(workflow: str, *options: str) -> list[str]:
    result = run("job", "start", "-w", workflow, *options)
    assert result.exit_code == ExitCode.OK, result.stderr
    return result.stdout.split()


def refused(system, result, words: str) -> None:
    assert result.exit_code == ExitCode.USAGE, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
    assert result.stdout == ""
    assert system.bus.read(ROI_TOPIC, 0) == []


def test_a_job_whose_workflow_takes_no_rois_is_refused(system):
    job = start("dummy/monitor_histogram/1")[0]
    result = run("roi", "set", job, "--rect", "0,1,0,1")
    refused(system, result, "(dummy/monitor_histogram/1) takes no ROIs")


def test_an_ambiguous_prefix_is_refused_naming_the_candidates(system):
    first = start("dummy/panel_0_xy/1")[0]
    second = start("dummy/panel_0_xy/1", "--add")[0]  # a second job beside it
    result = run("roi", "set", "panel_0/", "--rect", "0,1,0,1")
    refused(system, result, "is ambiguous")
    assert first in result.stderr and second in result.stderr


def test_a_bare_uuid_needs_an_instrument(system):
    job = start("dummy/panel_0_xy/1")[0]
    number = job.split("/")[1]
    result = run("roi", "clear", number, instrument=None)
    refused(system, result, "give --instrument")


def test_set_needs_a_shape(system):
    result = run("roi", "set", "panel_0/abc")
    refused(system, result, "give --rect or --polygon")


def test_show_by_prefix_without_data_exits_3_saying_no_readback(system):
    job = start("dummy/panel_0_xy/1")[0]
    prefix = job.split("/")[1][:6]
    result = run("roi", "show", prefix, "--timeout", "0.5")
    assert result.exit_code == ExitCode.NO_ACK, result.stderr
    assert "no ROIs requested" in result.stdout
    assert f"{job}: no readback" in result.stdout
