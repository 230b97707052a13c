"""``livedata job`` / ``services status`` without a broker: validation and errors.

Validation runs before any connection, so a command given an unreachable broker
that still exits 2 has provably published nothing (it would otherwise exit 1,
"no Kafka broker answered", on trying to connect).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import typer

from livedata.cli.common import ExitCode
from livedata.cli.job_report import report
from livedata.cli.status_views import job_table, service_table
from livedata.control.snapshots import (
    CommandOutcome,
    CommandRow,
    Health,
    JobRow,
    ServiceRow,
    Snapshot,
)
from tests.cli.helpers import invoke

UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1
OFFLINE = ("--bootstrap", UNREACHABLE, "--timeout", "1")
JOB = f"panel_0/{uuid.uuid4()}"


def _start(*args: str):
    return invoke("job", "start", *args, *OFFLINE)


def _usage_error(result) -> str:
    """The one stderr line of a validation failure; asserts nothing was sent."""
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "no Kafka broker" not in lines[0]
    return lines[0]


def test_unknown_workflow_lists_the_valid_ones() -> None:
    line = _usage_error(_start("-w", "dummy/nope"))
    assert "unknown workflow 'dummy/nope'" in line
    assert "dummy/panel_0_xy/2" in line and "dummy/monitor_histogram/2" in line


def test_unknown_source_lists_the_valid_ones() -> None:
    line = _usage_error(_start("-w", "dummy/panel_0_xy", "-s", "bogus"))
    assert line.endswith(
        "unknown source bogus for dummy/panel_0_xy/2; valid sources: panel_0"
    )


def test_unknown_param_lists_the_valid_ones() -> None:
    line = _usage_error(_start("-w", "dummy/panel_0_xy", "-p", "bogus=1"))
    assert "unknown param bogus" in line
    assert "valid params: coordinate_mode, toa_edges" in line


def test_invalid_param_value_says_where_and_why() -> None:
    line = _usage_error(_start("-w", "dummy/panel_0_xy", "-p", "toa_edges.num_bins=-3"))
    assert "toa_edges.num_bins" in line and "greater than or equal to 1" in line


def test_param_of_a_workflow_without_params_is_rejected() -> None:
    line = _usage_error(_start("-w", "dummy/total_counts", "-p", "a=1"))
    assert line == "error: workflow dummy/total_counts/2 takes no params"


def test_unknown_aux_role_lists_the_valid_ones() -> None:
    line = _usage_error(_start("-w", "dummy/panel_0_xy", "--aux", "monitor=m"))
    assert "unknown aux input 'monitor'" in line and "(none)" in line


def test_aux_stream_outside_its_choices_lists_them() -> None:
    line = _usage_error(_start("-w", "dream/powder", "--aux", "monitor=other"))
    assert "cannot be 'other'" in line and "valid choices: monitor_cave" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("-p", "novalue"), "--param 'novalue': expected key=value"),
        (("--aux", "=x"), "--aux '=x': expected key=value"),
        (("--start", "yesterday"), "bad time 'yesterday'"),
        (("--end", "25/11/2026"), "bad time '25/11/2026'"),
    ],
)
def test_bad_option_text_exits_2(args: tuple[str, ...], expected: str) -> None:
    line = _usage_error(_start("-w", "dummy/panel_0_xy", *args))
    assert expected in line


def test_missing_params_file_exits_2(tmp_path) -> None:
    absent = tmp_path / "absent.yaml"
    line = _usage_error(_start("-w", "dummy/panel_0_xy", "--params-file", str(absent)))
    assert line == f"error: cannot read params file {absent}: No such file or directory"


def test_params_file_of_a_list_exits_2(tmp_path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n")
    line = _usage_error(_start("-w", "dummy/panel_0_xy", "--params-file", str(path)))
    assert "must hold a mapping" in line


def test_params_file_with_a_bad_nested_value_exits_2(tmp_path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text("toa_edges:\n  num_bins: 0\n")
    line = _usage_error(_start("-w", "dummy/panel_0_xy", "--params-file", str(path)))
    assert "toa_edges.num_bins" in line


def test_valid_input_gets_as_far_as_connecting(tmp_path) -> None:
    """Params file, --param overriding it, aux and times all pass validation:
    the command only fails on the unreachable broker (exit 1, one line)."""
    path = tmp_path / "params.yaml"
    path.write_text("toa_edges:\n  num_bins: 0\n  start: 1.0\n")
    result = _start(
        "-w", "dream/powder", "-s", "mantle_detector",
        "--aux", "monitor=monitor_cave",
        "-p", "dspacing_edges.num_bins=100",
        "--start", "now", "--end", "2030-01-01T00:00:00",
    )  # fmt: skip
    assert result.exit_code == ExitCode.ERROR, result.stderr
    file_overridden = _start(
        "-w", "dummy/panel_0_xy", "--params-file", str(path),
        "-p", "toa_edges.num_bins=10",
    )  # fmt: skip
    assert file_overridden.exit_code == ExitCode.ERROR, file_overridden.stderr
    assert "no Kafka broker answered" in file_overridden.stderr


@pytest.mark.parametrize("action", ["stop", "reset"])
@pytest.mark.parametrize(
    "choice",
    [
        (),
        (JOB, "--all"),
        (JOB, "--workflow", "dummy/panel_0_xy"),
        ("--all", "--workflow", "dummy/panel_0_xy"),
    ],
)
def test_exactly_one_target_for_stop_and_reset(action, choice) -> None:
    line = _usage_error(invoke("job", action, *choice, *OFFLINE))
    assert line == "error: give exactly one of JOB_ID, --workflow or --all"


@pytest.mark.parametrize("bad", ["no_slash", "panel_0/not-a-uuid", f"/{uuid.uuid4()}"])
def test_malformed_job_id_exits_2_before_connecting(bad: str) -> None:
    line = _usage_error(invoke("job", "stop", bad, *OFFLINE))
    assert f"bad job id {bad!r}" in line


def test_stop_of_an_unknown_workflow_lists_the_valid_ones() -> None:
    line = _usage_error(invoke("job", "reset", "-w", "dummy/nope", *OFFLINE))
    assert "dummy/panel_0_xy/2" in line


@pytest.mark.parametrize(
    "args",
    [
        ("job", "start", "-w", "dummy/panel_0_xy", *OFFLINE),
        ("job", "stop", JOB, "-i", "dummy", *OFFLINE),
        ("job", "reset", "--all", "-i", "dummy", *OFFLINE),
        ("job", "stop", "-w", "dummy/panel_0_xy", *OFFLINE),
        ("job", "list", "--bootstrap", UNREACHABLE, "--wait", "1"),
        ("job", "status", JOB, "--bootstrap", UNREACHABLE, "--wait", "1"),
        ("services", "status", "--bootstrap", UNREACHABLE, "--wait", "1"),
    ],
)
def test_unreachable_broker_exits_1_in_one_line(args: tuple[str, ...]) -> None:
    began = time.monotonic()
    result = invoke(*args)
    assert result.exit_code == ExitCode.ERROR
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: no Kafka broker answered at {UNREACHABLE}")
    assert time.monotonic() - began < 10


# -- what a finished command prints and how it exits -----------------------------


def _row(outcome: CommandOutcome, answers) -> CommandRow:
    return CommandRow(
        message_id="m1",
        summary="start dummy/x/1 on a, b",
        outcome=outcome,
        sent_at_s=0.0,
        expected=2,
        answers=tuple(answers),
        job_ids=(f"a/{uuid.UUID(int=1)}", f"b/{uuid.UUID(int=2)}"),
    )


@pytest.mark.parametrize(
    ("outcome", "answers", "code", "printed"),
    [
        (CommandOutcome.ACK, [("a", "ACK", None), ("b", "ACK", None)], 0, ["a", "b"]),
        (CommandOutcome.ERR, [("a", "ERR", "no"), ("b", "ERR", "no")], 4, []),
        (CommandOutcome.PARTIAL, [("a", "ACK", None), ("b", "ERR", "bad")], 5, ["a"]),
        (CommandOutcome.TIMEOUT, [], 3, []),
    ],
)
def test_report_exit_code_and_only_acknowledged_job_ids(
    capsys, outcome, answers, code, printed
) -> None:
    with pytest.raises(typer.Exit) as stopped:
        report(_row(outcome, answers), False, instrument="dummy", timeout=2)
    assert stopped.value.exit_code == code
    out, err = capsys.readouterr()
    assert [line.partition("/")[0] for line in out.splitlines()] == printed
    assert err.strip().splitlines()[-1] == f"start dummy/x/1 on a, b: {outcome.value}"
    for device, response, message in answers:
        if response == "ERR":
            assert f"{device}: ERR {message}" in err
    if outcome is CommandOutcome.TIMEOUT:
        assert "no answer within 2 s from the services of dummy" in err


def test_report_as_json_sorts_jobs_by_their_answers(capsys) -> None:
    answers = [("a", "ACK", None), ("b", "ERR", "bad")]
    row = _row(CommandOutcome.PARTIAL, answers)
    with pytest.raises(typer.Exit) as stopped:
        report(row, True, instrument="dummy", timeout=2)
    assert stopped.value.exit_code == ExitCode.PARTIAL
    document = json.loads(capsys.readouterr().out)
    assert document["outcome"] == "partial"
    assert document["acknowledged"] == [row.job_ids[0]]
    assert document["rejected"] == [{"job_id": row.job_ids[1], "message": "bad"}]
    assert document["missing"] == []
    assert document["answers"][1] == {
        "device": "b",
        "response": "ERR",
        "message": "bad",
    }


def test_report_of_a_command_not_sent_exits_1(capsys) -> None:
    row = _row(CommandOutcome.NOT_SENT, [("client", "ERR", "not sent: refused")])
    with pytest.raises(typer.Exit) as stopped:
        report(row, False, instrument="dummy", timeout=2)
    assert stopped.value.exit_code == ExitCode.ERROR
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == "error: command not sent: refused"


# -- tables of services and jobs ----------------------------------------------------


def test_job_table_sorted_with_times_and_messages() -> None:
    jobs = (
        JobRow("p/2", "p", "2", "dummy/b/1", "active", start_time_ns=0),
        JobRow("p/1", "p", "1", "dummy/a/1", "error", error="boom", warning="w"),
    )
    columns, rows, documents = job_table(Snapshot(version=1, jobs=jobs))
    assert columns == ["STATE", "WORKFLOW", "JOB", "AGE", "START", "END", "MESSAGE"]
    assert rows[0] == ["error", "dummy/a/1", "p/1", "0s", None, None, "boom"]
    assert rows[1][4] == "1970-01-01 00:00:00"
    assert [d["job_id"] for d in documents] == ["p/1", "p/2"]
    json.dumps(documents)  # plain JSON types only


def test_service_table_shows_health_rate_and_age() -> None:
    started = time.time_ns() - 3_725 * 10**9
    service = ServiceRow(
        service_id="dummy:detector_data:abcdef123456",
        instrument="dummy",
        service_name="detector_data",
        worker_id="abcdef123456",
        state="running",
        health=Health.OK,
        started_at_ns=started,
        last_seen_s=0.0,
        age_s=1.25,
        job_count=2,
        messages_per_s=14.04,
    )
    columns, rows, documents = service_table(Snapshot(version=1, services=(service,)))
    row = dict(zip(columns, rows[0], strict=True))
    assert row["HEALTH"] == "OK" and row["WORKER"] == "abcdef12"
    assert row["UPTIME"] == "1h02m"
    assert row["MSG/S"] == "14.0" and row["AGE"] == "1.2s" and row["LAG"] is None
    assert documents[0]["health"] == "OK"
    json.dumps(documents)


def _service(name: str, jobs: int) -> ServiceRow:
    return ServiceRow(
        service_id=f"dummy:{name}:w1",
        instrument="dummy",
        service_name=name,
        worker_id="w1",
        state="running",
        health=Health.OK,
        started_at_ns=0,
        last_seen_s=0.0,
        age_s=0.0,
        job_count=jobs,
    )


def _job(number: str, service: str, state: str = "active") -> JobRow:
    return JobRow(
        f"p/{number}", "p", number, "dummy/x/1", state, service_id=f"dummy:{service}:w1"
    )


def test_stop_by_workflow_waits_for_the_jobs_a_service_reports() -> None:
    """A service's status may arrive a poll before its jobs' statuses; acting in
    between would not know whose answers to wait for."""
    service = _service("detector_data", jobs=2)
    one_job = Snapshot(1, services=(service,), jobs=(_job("1", "detector_data"),))
    assert not Snapshot(0).heard_all_jobs(None)
    assert not one_job.heard_all_jobs("detector_data")
    both = Snapshot(
        2,
        services=(service,),
        jobs=(_job("1", "detector_data"), _job("2", "detector_data")),
    )
    assert both.heard_all_jobs("detector_data") and both.heard_all_jobs(None)
    stopped = Snapshot(
        3,
        services=(service,),
        jobs=(_job("1", "detector_data"), _job("2", "detector_data", "stopped")),
    )
    assert not stopped.heard_all_jobs("detector_data")
    other = Snapshot(4, services=(service, _service("monitor_data", jobs=0)))
    assert other.heard_all_jobs("monitor_data")
    assert not other.heard_all_jobs("data_reduction")
