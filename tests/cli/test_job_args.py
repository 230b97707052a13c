"""Command-line text -> job params, aux inputs and data times (livedata/cli/job_args.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from livedata.cli.job_args import parse_assignments, parse_time, read_params_file


def test_typed_assignments_are_read_as_yaml_scalars() -> None:
    parsed = parse_assignments(
        ["n=3", "x=2.5", "on=true", "edges=[1, 2]", "name=abc", "empty="],
        "--param",
        typed=True,
    )
    assert parsed == {
        "n": 3,
        "x": 2.5,
        "on": True,
        "edges": [1, 2],
        "name": "abc",
        "empty": "",
    }


def test_dotted_keys_are_kept_for_nesting_later() -> None:
    parsed = parse_assignments(["toa_edges.num_bins=10"], "--param", typed=True)
    assert parsed == {"toa_edges.num_bins": 10}


def test_value_may_contain_equals_signs() -> None:
    assert parse_assignments(["a=b=c"], "--param", typed=True) == {"a": "b=c"}


def test_unparseable_yaml_falls_back_to_the_raw_text() -> None:
    assert parse_assignments(["a=[1, 2"], "--param", typed=True) == {"a": "[1, 2"}


def test_untyped_assignments_stay_strings() -> None:
    parsed = parse_assignments(["monitor= cave_monitor "], "--aux", typed=False)
    assert parsed == {"monitor": "cave_monitor"}
    assert parse_assignments(["n=3"], "--aux", typed=False) == {"n": "3"}


@pytest.mark.parametrize("item", ["novalue", "=3", " =3"])
def test_assignment_without_key_or_equals_is_an_error(item: str) -> None:
    with pytest.raises(ValueError, match=r"--param .*expected key=value"):
        parse_assignments([item], "--param", typed=True)


def test_option_name_appears_in_the_error() -> None:
    with pytest.raises(ValueError, match="--aux 'x'"):
        parse_assignments(["x"], "--aux", typed=False)


def test_params_file_yaml_is_flattened_to_dotted_keys(tmp_path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text("toa_edges:\n  start: 1.0\n  num_bins: 50\nmode: wavelength\n")
    assert read_params_file(path) == {
        "toa_edges.start": 1.0,
        "toa_edges.num_bins": 50,
        "mode": "wavelength",
    }


def test_params_file_json_is_read_too(tmp_path) -> None:
    path = tmp_path / "params.json"
    path.write_text('{"a": {"b": {"c": 1}}, "d": [1, 2]}')
    assert read_params_file(path) == {"a.b.c": 1, "d": [1, 2]}


def test_no_or_empty_params_file_means_no_params(tmp_path) -> None:
    assert read_params_file(None) == {}
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert read_params_file(empty) == {}


def test_missing_params_file_is_a_one_line_error(tmp_path) -> None:
    with pytest.raises(ValueError, match="cannot read params file"):
        read_params_file(tmp_path / "absent.yaml")


def test_params_file_that_is_not_yaml_is_an_error(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\n")
    with pytest.raises(ValueError, match="is not valid YAML"):
        read_params_file(path)


def test_params_file_must_hold_a_mapping(tmp_path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(ValueError, match="must hold a mapping"):
        read_params_file(path)


def test_parse_time_none_is_none() -> None:
    assert parse_time(None) is None


def test_naive_iso_time_is_utc() -> None:
    expected = int(datetime(2026, 11, 25, 10, 0, tzinfo=UTC).timestamp()) * 10**9
    assert parse_time("2026-11-25T10:00:00") == expected


def test_iso_time_with_zone_is_converted() -> None:
    assert parse_time("2026-11-25T11:00:00+01:00") == parse_time("2026-11-25T10:00:00")


def test_sub_second_times_keep_microseconds() -> None:
    whole = parse_time("2026-11-25T10:00:00")
    assert parse_time("2026-11-25T10:00:00.250000") == whole + 250_000_000


def test_now_is_the_current_time_in_ns() -> None:
    before = datetime.now(UTC).timestamp() * 1e9
    value = parse_time(" NOW ")
    after = datetime.now(UTC).timestamp() * 1e9
    assert before - 1e3 <= value <= after + 1e3


@pytest.mark.parametrize("text", ["yesterday", "25/11/2026", ""])
def test_bad_time_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time(text)


def test_the_end_must_come_after_the_start() -> None:
    from livedata.cli.job_args import check_window

    check_window(None, 5, now_ns=0)
    check_window(5, None, now_ns=0)
    check_window(1, 2, now_ns=0)
    for start, end in ((2, 2), (3, 2)):
        with pytest.raises(ValueError, match="--end must be after --start"):
            check_window(start, end, now_ns=0)
    with pytest.raises(ValueError, match="--end is in the past"):
        check_window(1, 2, now_ns=2)
