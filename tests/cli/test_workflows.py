"""``livedata workflows list|show``: from the specs, exit 2 with choices when unknown."""

from __future__ import annotations

import json

import pytest

from livedata.cli.common import ExitCode
from livedata.cli.workflows import UnknownWorkflow, find_workflow
from tests.cli.helpers import invoke

DUMMY_IDS = {
    "dummy/area_panel_xy/2",
    "dummy/monitor_histogram/2",
    "dummy/panel_0_logical/1",
    "dummy/panel_0_xy/2",
    "dummy/timeseries_data/2",
    "dummy/total_counts/2",
    # the facility's ids, same meaning as there (issue 12)
    "dummy/monitor_histogram/1",
    "dummy/panel_0_xy/1",
    "dummy/timeseries_data/1",
    "dummy/total_counts/1",
    "dummy/panel_0_layers/1",
    "dummy/area_panel_xy/1",
}


def test_list_prints_one_row_per_workflow() -> None:
    result = invoke("workflows", "list", "--instrument", "dummy")
    assert result.exit_code == ExitCode.OK
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["ID", "TITLE"]
    assert {line.split()[0] for line in lines[1:]} == DUMMY_IDS


def test_list_json_parses_and_names_services() -> None:
    result = invoke("workflows", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) >= DUMMY_IDS
    assert by_id["dummy/monitor_histogram/2"]["namespace"] == "monitor_data"
    assert by_id["dummy/monitor_histogram/2"]["source_names"] == [
        "monitor1",
        "monitor2",
    ]


def test_list_instrument_from_environment() -> None:
    result = invoke("workflows", "list", "--json", env={"LIVEDATA_INSTRUMENT": "dummy"})
    assert {row["id"] for row in json.loads(result.stdout)} == DUMMY_IDS


def test_list_unknown_instrument_exits_2() -> None:
    result = invoke("workflows", "list", "-i", "nosuch")
    assert result.exit_code == ExitCode.USAGE
    assert "nosuch" in result.stderr and "dummy" in result.stderr


@pytest.mark.parametrize(
    ("reference", "instrument"),
    [
        ("dummy/panel_0_xy/2", None),
        ("dummy/panel_0_xy", None),
        ("panel_0_xy", "dummy"),
        ("panel_0_xy", None),  # unique across instruments
    ],
)
def test_find_workflow_accepts_full_versionless_and_short_ids(
    reference: str, instrument: str | None
) -> None:
    assert str(find_workflow(reference, instrument).workflow_id) == "dummy/panel_0_xy/2"


def test_find_workflow_unknown_lists_choices() -> None:
    with pytest.raises(UnknownWorkflow) as info:
        find_workflow("dummy/panel_0_xy/7")
    assert set(info.value.choices) == DUMMY_IDS


def test_show_json_has_schema_defaults_outputs_and_sources() -> None:
    result = invoke("workflows", "show", "panel_0_xy", "-i", "dummy", "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["id"] == "dummy/panel_0_xy/2"
    assert info["source_names"] == ["panel_0"]
    assert info["params_schema"]["type"] == "object"
    assert "toa_edges" in info["params_schema"]["properties"]
    assert info["params_defaults"]["toa_edges"]["num_bins"] == 100
    cumulative = info["outputs"]["cumulative"]
    assert cumulative["dims"] == ["y", "x"]
    assert cumulative["unit"] == "counts"
    assert cumulative["coords"]["x"]["bin_edges"] is True
    assert info["accepts_roi"] is True
    assert info["data_input"] is True


def test_show_says_a_wavelength_table_reads_no_data() -> None:
    result = invoke("workflows", "show", "dream/wavelength_lut")
    assert result.exit_code == 0, result.stderr
    assert "sources:  chopper_cascade  (no data stream" in result.stdout
    assert "facility-compatible" in result.stdout
    info = json.loads(
        invoke("workflows", "show", "tbl/wavelength_lut/1", "--json").stdout
    )
    assert info["data_input"] is False and info["namespace"] == "timeseries"
    assert list(info["outputs"]) == ["wavelength_lut", "chopper_cascade_bands"]


def test_show_workflow_without_params() -> None:
    result = invoke("workflows", "show", "dummy/total_counts", "--json")
    info = json.loads(result.stdout)
    assert info["params_schema"] is None
    assert info["outputs"]["total_counts"]["dims"] == []


def test_show_text_lists_outputs_with_dims_and_units() -> None:
    result = invoke("workflows", "show", "dummy/monitor_histogram/2")
    assert result.exit_code == 0
    assert "service:  monitor_data" in result.stdout
    assert "sources:  monitor1, monitor2" in result.stdout
    cumulative = next(
        line for line in result.stdout.splitlines() if "cumulative " in line
    )
    assert "counts" in cumulative and "time_of_arrival" in cumulative


def test_show_prints_units_in_the_defaults_as_written() -> None:
    # The facility's params spell microseconds "\u03bcs" (as in its schemas).
    result = invoke("workflows", "show", "dummy/monitor_histogram/1")
    assert result.exit_code == 0
    assert '"\u03bcs"' in result.stdout
    assert "\\u03bc" not in result.stdout  # not a JSON escape


def test_show_unknown_workflow_exits_2_listing_valid_choices() -> None:
    result = invoke("workflows", "show", "nope", "-i", "dummy")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    for workflow_id in DUMMY_IDS:
        assert workflow_id in result.stderr


def test_show_workflow_of_other_instrument_exits_2() -> None:
    result = invoke("workflows", "show", "dummy/panel_0_xy/2", "-i", "nosuch")
    assert result.exit_code == ExitCode.USAGE


def test_show_missing_argument_is_a_usage_error() -> None:
    assert invoke("workflows", "show").exit_code == ExitCode.USAGE


CLIENT_COMMANDS = [
    ("workflows", "list"),
    ("workflows", "show"),
    ("job", "start"),
    ("job", "stop"),
    ("job", "reset"),
    ("job", "list"),
    ("job", "status"),
    ("services", "status"),
    ("kafka", "peek"),
    ("kafka", "lag"),
    ("kafka", "topics", "create"),
    ("results", "tail"),
    ("config", "show"),
]


@pytest.mark.parametrize("path", CLIENT_COMMANDS, ids=" ".join)
def test_every_client_command_takes_bootstrap(path: tuple[str, ...]) -> None:
    import typer.main

    from livedata.cli.main import app

    command = typer.main.get_command(app)
    for name in path:
        command = command.get_command(None, name)
    options = {opt for p in command.params for opt in getattr(p, "opts", ())}
    assert "--bootstrap" in options


def test_workflows_accept_bootstrap_and_ask_no_broker() -> None:
    unreachable = ("--bootstrap", "127.0.0.1:1")
    listed = invoke("workflows", "list", "-i", "dummy", *unreachable)
    assert listed.exit_code == 0, listed.stderr
    assert "dummy/panel_0_xy/2" in listed.stdout
    shown = invoke("workflows", "show", "dummy/panel_0_xy", *unreachable, "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == "dummy/panel_0_xy/2"


def test_show_outputs_follow_the_params_given() -> None:
    result = invoke(
        "workflows",
        "show",
        "dummy/panel_0_xy",
        "--param",
        "coordinate_mode=wavelength",
        "--param",
        "wavelength_edges.num_bins=50",
        "--json",
    )
    assert result.exit_code == ExitCode.OK, result.output
    spectrum = json.loads(result.stdout)["outputs"]["spectrum_current"]
    assert spectrum["dims"] == ["wavelength"]
    assert spectrum["shape"] == [50]
    default = json.loads(
        invoke("workflows", "show", "dummy/panel_0_xy", "--json").stdout
    )
    assert default["outputs"]["spectrum_current"]["dims"] == ["time_of_arrival"]


def test_show_timeseries_output_has_the_log_unit_of_the_source() -> None:
    result = invoke(
        "workflows", "show", "dummy/timeseries_data", "--source", "motion2", "--json"
    )
    assert result.exit_code == ExitCode.OK, result.output
    units = {out["unit"] for out in json.loads(result.stdout)["outputs"].values()}
    assert units == {"deg"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--param", "coordinate_mode=bogus"], "invalid params"),
        (["--source", "nope"], "unknown source 'nope'"),
    ],
)
def test_show_with_bad_params_or_source_exits_2(args, expected) -> None:
    result = invoke("workflows", "show", "dummy/panel_0_xy", *args)
    assert result.exit_code == ExitCode.USAGE
    assert expected in result.output


def test_show_says_which_ids_are_facility_compatible() -> None:
    facility = invoke("workflows", "show", "dummy/monitor_histogram/1")
    assert facility.exit_code == 0, facility.stderr
    assert "compat:   facility-compatible" in facility.stdout
    own = invoke("workflows", "show", "dummy/monitor_histogram")  # the newest: 2
    assert own.stdout.startswith("dummy/monitor_histogram/2")
    assert "compat:   livedata-only" in own.stdout
    info = json.loads(
        invoke("workflows", "show", "dummy/panel_0_xy/1", "--json").stdout
    )
    assert info["compatibility"] == "facility"
    rows = json.loads(invoke("workflows", "list", "-i", "dummy", "--json").stdout)
    marks = {row["id"]: row["compatibility"] for row in rows}
    assert marks["dummy/total_counts/1"] == "facility"
    assert (
        marks["dummy/total_counts/2"]
        == marks["dummy/panel_0_logical/1"]
        == "livedata-only"
    )
