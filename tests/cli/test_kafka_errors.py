"""Error paths of the Kafka commands that need no broker: exit codes, one line."""

from __future__ import annotations

import pytest

from livedata.cli.common import ExitCode
from livedata.cli.peek import Record, StartAt, last_per_partition, parse_start
from livedata.kafka.raw import RawMessage
from tests.cli.helpers import invoke

UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1


@pytest.mark.parametrize(
    "args",
    [
        ("kafka", "peek", "some_topic"),
        ("kafka", "lag"),
        ("results", "tail", "-w", "dummy/panel_0_xy/2"),
    ],
)
def test_unreachable_broker_exits_1_with_one_line(args: tuple[str, ...]) -> None:
    result = invoke(*args, "--bootstrap", UNREACHABLE, "--timeout", "0.5")
    assert result.exit_code == ExitCode.ERROR
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    # the same line as the job and services commands give
    assert lines[0].startswith(f"error: no Kafka broker answered at {UNREACHABLE}")


def test_peek_bad_from_exits_2() -> None:
    result = invoke("kafka", "peek", "t", "--from", "yesterday")
    assert result.exit_code == ExitCode.USAGE
    assert "--from 'yesterday'" in result.stderr


def test_results_tail_unknown_workflow_or_output_exits_2() -> None:
    unknown = invoke("results", "tail", "-w", "nope", "-i", "dummy")
    assert unknown.exit_code == ExitCode.USAGE
    assert "dummy/panel_0_xy/2" in unknown.stderr
    bad_output = invoke("results", "tail", "-w", "dummy/panel_0_xy", "-o", "nope")
    assert bad_output.exit_code == ExitCode.USAGE
    assert "cumulative" in bad_output.stderr


def test_lag_unknown_instrument_exits_2() -> None:
    result = invoke("kafka", "lag", "-i", "nosuch", "--bootstrap", UNREACHABLE)
    assert result.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("beginning", StartAt("beginning")),
        ("end", StartAt("end")),
        ("end-25", StartAt("back", back=25)),
        ("2024-01-02T03:04:05+00:00", StartAt("time", time_ms=1704164645000)),
    ],
)
def test_parse_start(text: str, expected: StartAt) -> None:
    assert parse_start(text) == expected


def test_a_time_without_a_zone_is_utc_as_for_job_start() -> None:
    from livedata.cli.job_args import parse_time

    naive = parse_start("2024-01-02T03:04:05")
    assert naive == StartAt("time", time_ms=1704164645000)
    assert parse_time("2024-01-02T03:04:05") == naive.time_ms * 1_000_000
    assert parse_start("2024-01-02T04:04:05+01:00") == naive


def test_peek_and_job_start_help_say_naive_times_are_utc() -> None:
    assert "no zone means UTC" in " ".join(
        invoke("kafka", "peek", "--help").stdout.split()
    )
    start_help = " ".join(invoke("job", "start", "--help").stdout.split())
    assert "no zone means UTC" in start_help


def test_parse_start_rejects_negative_and_garbage() -> None:
    for text in ("end-x", "end--1", "soon"):
        with pytest.raises(ValueError, match="--from"):
            parse_start(text)


def test_last_per_partition_keeps_the_newest_of_each() -> None:
    raw = RawMessage("t", b"")
    records = [Record(raw, p, o) for o in range(5) for p in (0, 1)]
    kept = last_per_partition(records, 2)
    assert [(r.partition, r.offset) for r in kept] == [(0, 3), (0, 4), (1, 3), (1, 4)]
