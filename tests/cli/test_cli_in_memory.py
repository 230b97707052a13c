"""Every ``job`` and ``services`` command, and its exit codes, on the in-memory bus.

The commands are the real ones (CliRunner, in-process); only the plane source is
swapped (``livedata.cli.planes.use_planes``) for planes on an ``InMemoryBus``
with real ``monitor_data`` and ``detector_data`` services behind it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from livedata.cli.common import ExitCode
from livedata.core.identifiers import JobId
from tests.cli.helpers import invoke
from tests.cli.memory_cli import MemorySystem, RefusingTransport
from tests.control.plane_helpers import DroppingTransport

MONITORS = "dummy/monitor_histogram/2"
PANEL = "dummy/panel_0_xy/2"
QUICK = ("--timeout", "0.5")  # the minimum: for commands that must time out


@pytest.fixture
def system():
    system = MemorySystem("monitor_data", "detector_data")
    with system.installed():
        yield system


def run(*args: str):
    return invoke(*args, env={"LIVEDATA_INSTRUMENT": "dummy"})


def start(*args: str) -> list[str]:
    result = run("job", "start", *args)
    assert result.exit_code == ExitCode.OK, result.stderr
    return result.stdout.split()


def jobs(*extra: str) -> dict[str, dict]:
    result = run("job", "list", "--json", "--wait", "0.3", *extra)
    assert result.exit_code == ExitCode.OK, result.stderr
    return {d["job_id"]: d for d in json.loads(result.stdout)}


def active(listing: dict[str, dict]) -> set[str]:
    return {j for j, d in listing.items() if d["state"] != "stopped"}


# -- job start -----------------------------------------------------------------


def test_start_prints_one_acknowledged_job_id_per_source(system) -> None:
    result = run("job", "start", "-w", "monitor_histogram")
    assert result.exit_code == ExitCode.OK, result.stderr
    ids = [JobId.model_validate(line) for line in result.stdout.split()]
    assert [j.source_name for j in ids] == ["monitor1", "monitor2"]
    assert result.stderr.strip() == f"start {MONITORS} on monitor1, monitor2: ACK"
    assert set(map(str, ids)) <= active(jobs())


def test_start_as_json_names_acknowledged_rejected_and_missing(system) -> None:
    result = run("job", "start", "-w", MONITORS, "-s", "monitor2", "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    document = json.loads(result.stdout)
    assert document["outcome"] == "ACK"
    (job,) = document["acknowledged"]
    assert job.startswith("monitor2/")
    assert document["rejected"] == [] and document["missing"] == []
    assert document["answers"] == [
        {"device": "monitor2", "response": "ACK", "message": None}
    ]


def test_start_without_the_owning_service_exits_3_naming_the_instrument() -> None:
    system = MemorySystem("detector_data")  # monitor_histogram needs monitor_data
    with system.installed():
        began = time.monotonic()
        result = run("job", "start", "-w", MONITORS, *QUICK)
    assert result.exit_code == ExitCode.NO_ACK, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("no answer within 0.5 s from the services of dummy")
    assert lines[-1] == f"start {MONITORS} on monitor1, monitor2: timeout"
    assert time.monotonic() - began < 3


def test_params_the_factory_rejects_exit_4_and_print_no_job(system) -> None:
    # The spec allows 1..64; the factory needs a divisor of 256.
    result = run("job", "start", "-w", "dummy/area_panel_xy", "-p", "downsample=3")
    assert result.exit_code == ExitCode.ERR, result.stderr
    assert result.stdout == ""
    assert "area_panel: ERR " in result.stderr
    assert "downsample 3 does not divide" in result.stderr
    as_json = run(
        "job", "start", "-w", "dummy/area_panel_xy", "-p", "downsample=3", "--json"
    )
    assert as_json.exit_code == ExitCode.ERR
    document = json.loads(as_json.stdout)
    assert document["acknowledged"] == [] and document["missing"] == []
    (rejected,) = document["rejected"]
    assert rejected["job_id"].startswith("area_panel/")
    assert "does not divide" in rejected["message"]


def test_one_source_unanswered_is_partial_exit_5(system) -> None:
    """The config for monitor2 is lost on the way: monitor1 runs, monitor2 not."""
    system.wrap = lambda transport: DroppingTransport(
        transport, drop=lambda m: m.value.job_id.source_name == "monitor2"
    )
    result = run("job", "start", "-w", MONITORS, *QUICK, "--json")
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    document = json.loads(result.stdout)
    assert document["outcome"] == "partial"
    (acknowledged,) = document["acknowledged"]
    (missing,) = document["missing"]
    assert acknowledged.startswith("monitor1/") and missing.startswith("monitor2/")
    text = run("job", "start", "-w", MONITORS, *QUICK, "--add")
    assert text.exit_code == ExitCode.PARTIAL
    (printed,) = text.stdout.split()
    assert printed.startswith("monitor1/")
    assert "from the services of dummy for monitor2/" in text.stderr
    assert text.stderr.strip().endswith(": partial")


def test_a_command_not_sent_exits_1_not_4(system) -> None:
    system.wrap = lambda transport: RefusingTransport(transport)
    result = run("job", "start", "-w", MONITORS)
    assert result.exit_code == ExitCode.ERROR
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "error: command not sent: broker connection lost"
    )
    assert jobs() == {}


def test_a_start_sent_for_one_source_only_is_partial(system) -> None:
    system.wrap = lambda transport: RefusingTransport(transport, allow=1)
    result = run("job", "start", "-w", MONITORS, "--json")
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    document = json.loads(result.stdout)
    (rejected,) = document["rejected"]
    assert rejected["job_id"].startswith("monitor2/")
    assert rejected["message"] == "not sent: broker connection lost"
    assert document["acknowledged"][0].startswith("monitor1/")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--start", "2030-01-01T10:00", "--end", "2030-01-01T09:00"), "--end must"),
        (("--start", "now", "--end", "2020-01-01T00:00"), "after --start"),
        (("--timeout", "0"), "--timeout"),
    ],
)
def test_bad_times_and_timeouts_exit_2_before_connecting(
    system, args, expected
) -> None:
    result = run("job", "start", "-w", MONITORS, *args)
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert expected in result.stderr
    assert system.opened == []


# -- job stop / reset -------------------------------------------------------------


def test_stop_a_job_by_id(system) -> None:
    first, second = start("-w", MONITORS)
    result = run("job", "stop", first)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.split() == [first]
    assert result.stderr.strip() == f"stop {first}: ACK"
    assert active(jobs()) == {second}


@pytest.mark.parametrize("action", ["stop", "reset"])
def test_stop_or_reset_of_a_job_nobody_runs_is_refused_unsent(system, action) -> None:
    ghost = f"monitor1/{uuid.uuid4()}"
    commands = system.bus.end("dummy_livedata_commands")
    result = run("job", action, ghost, "--timeout", "1")
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert f"no running job {ghost!r}" in result.stderr
    assert "nothing sent" in result.stderr
    assert system.bus.end("dummy_livedata_commands") == commands


def test_a_unique_prefix_of_a_job_number_works_everywhere(system) -> None:
    (job,) = start("-w", "monitor_histogram", "-s", "monitor1")
    number = job.rpartition("/")[2]
    result = run("job", "status", number[:8], "--wait", "2", "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["job_id"] == job
    result = run("job", "reset", f"monitor1/{number[:8]}")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.split() == [job]
    result = run("job", "stop", number[:6])
    assert result.exit_code == ExitCode.OK, result.stderr
    assert result.stdout.split() == [job]


def test_an_ambiguous_prefix_is_refused(system) -> None:
    start("-w", "monitor_histogram", "-s", "monitor1")
    start("-w", "monitor_histogram", "-s", "monitor1", "--add")
    commands = system.bus.end("dummy_livedata_commands")
    result = run("job", "stop", "monitor1/", "--timeout", "1")  # any of its jobs
    assert result.exit_code == ExitCode.USAGE
    assert "ambiguous" in result.stderr
    assert system.bus.end("dummy_livedata_commands") == commands
    result = run("job", "status", "monitor1/", "--wait", "1")
    assert result.exit_code == ExitCode.USAGE, result.stdout
    assert "ambiguous" in result.stderr


@pytest.mark.parametrize("action", ["stop", "reset"])
def test_stop_and_reset_of_everything_need_an_instrument(system, action) -> None:
    result = invoke("job", action, "--all")  # no -i, no LIVEDATA_INSTRUMENT
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip() == (
        f"error: job {action} --all needs --instrument (or LIVEDATA_INSTRUMENT):"
        f" the instrument whose jobs to {action}"
    )
    assert system.opened == []


def test_a_job_id_names_its_instrument_through_its_source(system) -> None:
    (first,) = start("-w", PANEL)
    result = invoke("job", "stop", first, "--timeout", "5")  # no -i
    assert result.exit_code == ExitCode.OK, result.stderr
    assert [instrument for instrument, _ in system.opened][-1] == "dummy"


@pytest.mark.parametrize(
    ("source", "why"),
    [
        (
            "neutron_prod_info/pulse_charge",  # the accelerator's, at every instrument
            "several instruments have a source 'neutron_prod_info/pulse_charge'",
        ),
        ("nowhere", "no instrument has a source 'nowhere'"),
    ],
)
def test_a_job_id_of_no_single_instrument_needs_one(system, source, why) -> None:
    result = invoke("job", "reset", f"{source}/{uuid.uuid4()}")
    assert result.exit_code == ExitCode.USAGE
    assert why in result.stderr and "give --instrument" in result.stderr
    assert system.opened == []


def test_stop_by_workflow_stops_only_its_jobs(system) -> None:
    monitors = start("-w", MONITORS)
    (panel,) = start("-w", PANEL)
    result = run("job", "stop", "--workflow", "monitor_histogram")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert sorted(result.stdout.split()) == sorted(monitors)
    assert active(jobs()) == {panel}


def test_stop_all_then_nothing_left_to_stop(system) -> None:
    started = set(start("-w", MONITORS)) | set(start("-w", PANEL))
    result = run("job", "stop", "--all", "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    document = json.loads(result.stdout)
    assert document["outcome"] == "ACK"
    assert set(document["acknowledged"]) == started
    assert active(jobs()) == set()
    began = time.monotonic()
    again = run("job", "stop", "--all")
    assert again.exit_code == ExitCode.OK, again.stderr
    assert again.stdout == ""
    assert again.stderr.strip() == "no jobs to stop (all jobs of dummy)"
    assert time.monotonic() - began < 5  # not the 10 s timeout


def test_stop_or_reset_of_an_idle_workflow_exits_0_at_once(system) -> None:
    start("-w", PANEL)
    for action in ("stop", "reset"):
        began = time.monotonic()
        result = run("job", action, "-w", MONITORS, "--json")
        assert result.exit_code == ExitCode.OK, result.stderr
        assert json.loads(result.stdout)["outcome"] == "no jobs"
        assert f"no jobs to {action} ({MONITORS})" in result.stderr
        assert time.monotonic() - began < 5


def test_stop_all_with_no_service_at_all_times_out() -> None:
    system = MemorySystem()
    with system.installed():
        result = run("job", "stop", "--all", *QUICK)
    assert result.exit_code == ExitCode.NO_ACK
    assert "no answer within 0.5 s from the services of dummy" in result.stderr
    assert result.stderr.strip().endswith("stop all jobs: timeout")


def test_reset_all_is_acknowledged_by_every_job_and_they_keep_running(
    system,
) -> None:
    started = set(start("-w", MONITORS)) | set(start("-w", PANEL))
    result = run("job", "reset", "--all")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert set(result.stdout.split()) == started
    assert result.stderr.strip() == "reset all jobs: ACK"
    assert active(jobs()) == started


def test_reset_by_id_and_by_workflow(system) -> None:
    first, second = start("-w", MONITORS)
    by_id = run("job", "reset", second)
    assert by_id.exit_code == ExitCode.OK, by_id.stderr
    assert by_id.stdout.split() == [second]
    by_workflow = run("job", "reset", "-w", MONITORS, "--json")
    assert by_workflow.exit_code == ExitCode.OK, by_workflow.stderr
    assert set(json.loads(by_workflow.stdout)["acknowledged"]) == {first, second}


# -- job list / status, services status -----------------------------------------


def test_job_list_table_and_json(system) -> None:
    (panel,) = start("-w", PANEL)
    table = run("job", "list", "--wait", "0.3")
    assert table.exit_code == ExitCode.OK, table.stderr
    header, row = table.stdout.splitlines()
    assert header.split() == [
        "STATE", "WORKFLOW", "JOB", "AGE", "START", "END", "MESSAGE",
    ]  # fmt: skip
    assert row.split()[1:3] == [PANEL, panel]
    listing = jobs()
    assert listing[panel]["workflow_id"] == PANEL


def test_job_list_watch_prints_ndjson_until_its_count(system) -> None:
    start("-w", PANEL)
    result = run(
        "job", "list", "--watch", "--json", "--count", "2",
        "--interval", "0.2", "--wait", "0.3",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        (job,) = json.loads(line)
        assert job["workflow_id"] == PANEL


def test_job_status_by_id_or_number(system) -> None:
    (panel,) = start("-w", PANEL)
    table = run("job", "status", panel, "--wait", "1")
    assert table.exit_code == ExitCode.OK, table.stderr
    assert panel in table.stdout
    by_number = run("job", "status", panel.rpartition("/")[2], "--json")
    assert by_number.exit_code == ExitCode.OK, by_number.stderr
    assert json.loads(by_number.stdout)["job_id"] == panel


def test_job_status_of_an_unseen_job_exits_1(system) -> None:
    ghost = f"panel_0/{uuid.uuid4()}"
    result = run("job", "status", ghost, "--wait", "0.3")
    assert result.exit_code == ExitCode.ERROR
    assert (
        result.stderr.strip() == f"error: job {ghost} not seen in 0.3 s of heartbeats"
    )


def test_services_status_table_json_and_watch(system) -> None:
    start("-w", MONITORS)
    table = run("services", "status", "--wait", "0.3")
    assert table.exit_code == ExitCode.OK, table.stderr
    rows = {line.split()[1]: line.split() for line in table.stdout.splitlines()[1:]}
    assert set(rows) == {"detector_data", "monitor_data"}
    assert rows["monitor_data"][0] == "OK" and rows["monitor_data"][5] == "2"
    documents = json.loads(run("services", "status", "--json", "--wait", "0.3").stdout)
    assert {d["service_name"]: d["job_count"] for d in documents} == {
        "detector_data": 0,
        "monitor_data": 2,
    }
    watched = run(
        "services", "status", "--watch", "--count", "2", "--interval", "0.2",
        "--wait", "0.3",
    )  # fmt: skip
    assert watched.exit_code == ExitCode.OK, watched.stderr
    assert sum(line.startswith("-- ") for line in watched.stdout.splitlines()) == 2


def test_services_status_tells_a_graceful_stop_from_a_live_one(system) -> None:
    """A service that says goodbye while the command listens is STOPPED, not
    gone and not STALE."""
    leaving = system.services["detector_data"]

    def stop_gracefully() -> None:
        leaving.begin_shutdown()
        leaving.finish_shutdown()

    timer = threading.Timer(0.4, stop_gracefully)
    timer.start()
    try:
        result = run("services", "status", "--json", "--wait", "1.2")
    finally:
        timer.join()
    assert result.exit_code == ExitCode.OK, result.stderr
    health = {d["service_name"]: d["health"] for d in json.loads(result.stdout)}
    assert health == {"monitor_data": "OK", "detector_data": "STOPPED"}


@pytest.mark.parametrize(
    "args",
    [
        ("job", "list"),
        ("job", "status", f"panel_0/{uuid.uuid4()}"),
        ("services", "status"),
        ("job", "stop", "--all"),
        ("job", "reset", f"panel_0/{uuid.uuid4()}"),
    ],
)
def test_unknown_instrument_exits_2_before_connecting(system, args) -> None:
    result = invoke(*args, "-i", "nosuch")
    assert result.exit_code == ExitCode.USAGE
    assert "unknown instrument 'nosuch'" in result.stderr
    assert "dummy" in result.stderr
    assert system.opened == []


def test_start_picks_any_version_and_nested_facility_params(system) -> None:
    """``-w NAME`` is livedata's newest; ``/1`` is the facility's, with its params."""
    result = run(
        "job", "start", "-w", "dummy/monitor_histogram/1", "-s", "monitor1",
        "-p", "coordinate_mode.mode=wavelength", "-p", "toa_range.unit=\u03bcs",
        "--json",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["outcome"] == "ACK"
    refused = run(
        "job", "start", "-w", "dummy/monitor_histogram/1",
        "-p", "coordinate_mode=time_of_arrival",  # livedata's v2 spelling
    )  # fmt: skip
    assert refused.exit_code == ExitCode.USAGE
    assert "coordinate_mode" in refused.stderr


@pytest.mark.slow
def test_a_crashed_service_stays_listed_stale_and_fails_the_listings(system) -> None:
    """Heartbeats that stop without a goodbye: the service is listed STALE with
    its age (never left out) and its jobs stale; both listings exit 6, and 0
    with --no-fail."""
    (job,) = start("-w", MONITORS, "-s", "monitor1")
    assert set(jobs()) == {job}  # its service has reported it
    system.services["monitor_data"].crash()
    time.sleep(6.5)  # three heartbeat intervals without a beat
    result = run("services", "status", "--json", "--wait", "0.5")
    assert result.exit_code == ExitCode.UNHEALTHY, result.stdout
    rows = {d["service_name"]: d for d in json.loads(result.stdout)}
    assert rows["monitor_data"]["health"] == "STALE"
    assert rows["monitor_data"]["age_s"] > 6
    assert "no heartbeat for" in rows["monitor_data"]["reason"]
    assert rows["detector_data"]["health"] == "OK"
    table = run("services", "status", "--wait", "0.5", "--no-fail")
    assert table.exit_code == ExitCode.OK
    assert any(line.startswith("STALE") for line in table.stdout.splitlines())
    listing = run("job", "list", "--json", "--wait", "0.5")
    assert listing.exit_code == ExitCode.UNHEALTHY, listing.stdout
    assert {d["job_id"]: d["state"] for d in json.loads(listing.stdout)} == {
        job: "stale"
    }
    assert run("job", "list", "--wait", "0.5", "--no-fail").exit_code == 0


def test_a_second_start_of_a_running_workflow_needs_a_choice(system) -> None:
    (job,) = start("-w", MONITORS, "-s", "monitor1")
    commands = system.bus.end("dummy_livedata_commands")
    again = run("job", "start", "-w", MONITORS, "-s", "monitor1")
    assert again.exit_code == ExitCode.USAGE, (again.stdout, again.stderr)
    assert f"already runs (monitor1: {job})" in again.stderr
    assert "--replace, --add or --if-not-running" in again.stderr
    assert system.bus.end("dummy_livedata_commands") == commands  # nothing sent

    retry = run("job", "start", "-w", MONITORS, "-s", "monitor1", "--if-not-running")
    assert retry.exit_code == ExitCode.OK, retry.stderr
    assert retry.stdout.split() == [job]
    assert system.bus.end("dummy_livedata_commands") == commands

    replaced = run("job", "start", "-w", MONITORS, "-s", "monitor1", "--replace")
    assert replaced.exit_code == ExitCode.OK, replaced.stderr
    assert replaced.stdout.split() == [job]  # the same job, replaced in place
    added = run("job", "start", "-w", MONITORS, "-s", "monitor1", "--add")
    assert added.exit_code == ExitCode.OK, added.stderr
    assert added.stdout.split() != [job]
    assert active(jobs()) == {job, *added.stdout.split()}


def test_a_start_ending_in_the_past_is_refused_unsent(system) -> None:
    result = run(
        "job", "start", "-w", MONITORS,
        "--start", "2020-01-01T00:00:00", "--end", "2020-01-01T00:01:00",
    )  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert "--end is in the past" in result.stderr
    assert system.opened == []
