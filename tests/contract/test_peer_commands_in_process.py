"""The facility dashboard's commands, byte for byte, into livedata's dummy services
in-process: ACKs, results under the facility's output names, tolerant params and
exactly one ERR for an id no livedata service implements (issue 12)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.status import JobStatus
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.instruments import get_instrument
from livedata.kafka.wire_builders import ad00_message, ev44_message, f144_message
from tests.services.test_dummy_in_process import Harness, results_of

from .facility_commands import as_record, dashboard_config
from .peer_contract import entry, workflows

SERVICES = ("detector_data", "monitor_data", "timeseries", "data_reduction")


def t0() -> int:
    return (time.time_ns() - 60 * NS_PER_S) // NS_PER_S * NS_PER_S


def answers(out: list, message_id: str) -> list:
    return [
        m.value
        for t, m in out
        if t == "dummy_livedata_responses" and m.value.message_id == message_id
    ]


def data_for(source: str, start: int) -> tuple[list, int]:
    """One second of raw data for ``source`` and a closing message; event count."""
    rng = np.random.default_rng(7)
    raws, n = [], 0
    for i in range(14):
        when = start + i * PULSE_PERIOD.ns
        toa = rng.integers(0, 70_000_000, 300)
        if source == "panel_0":
            pixels = rng.integers(1, 128 * 128 + 1, toa.size)
            raws.append(ev44_message("dummy_detector", source, when, pixels, toa))
        elif source == "area_panel":
            frame = rng.poisson(0.01, (256, 256)).astype(np.int32)
            raws.append(ad00_message("dummy_area_detector", source, when, frame, i))
            continue
        elif source.startswith("monitor"):
            raws.append(ev44_message("dummy_beam_monitor", source, when, None, toa))
        else:
            raws.append(f144_message("dummy_motion", source, when, float(i)))
            continue
        n += toa.size
    if source.startswith("motion"):
        closing = f144_message("dummy_motion", source, start + NS_PER_S, 99.0)
    elif source == "panel_0":
        closing = ev44_message("dummy_detector", source, start + NS_PER_S, [1], [0])
    elif source == "area_panel":
        blank = np.zeros((256, 256), np.int32)
        closing = ad00_message("dummy_area_detector", source, start + NS_PER_S, blank)
    else:
        closing = ev44_message(
            "dummy_beam_monitor", source, start + NS_PER_S, None, [0]
        )
    return [*raws, closing], n


CLAIMED = [
    (wid, facts["source_names"][0], facts["service"])
    for wid, facts in workflows("dummy").items()
    if WorkflowId.parse_str(wid) in get_instrument("dummy").workflows
]


@pytest.mark.parametrize(("workflow_id", "source", "service"), CLAIMED)
def test_dashboard_defaults_are_acked_and_results_carry_facility_names(
    workflow_id, source, service
) -> None:
    h = Harness(service)
    document = dashboard_config(workflow_id, source)
    out = h.step([as_record(document)])
    (answer,) = answers(out, document["message_id"])
    assert answer.response.value == "ACK", answer.message
    raws, _ = data_for(source, t0())
    out = h.step(raws)
    job = JobId.model_validate(document["job_id"])
    assert set(results_of(out, job)) == set(entry(workflow_id)["outputs"])


def test_facility_monitor_counts_in_the_toa_range_are_exact() -> None:
    h = Harness("monitor_data")
    document = dashboard_config("dummy/monitor_histogram/1", "monitor1")
    document["params"]["toa_range"] = {
        "enabled": True, "start": 10_000.0, "stop": 30_000.0, "unit": "\u03bcs",
    }  # fmt: skip
    h.step([as_record(document)])
    start = t0()
    toa = np.array([5, 10, 20, 29.999, 30, 60]) * 1_000_000  # ns
    raws = [
        ev44_message("dummy_beam_monitor", "monitor1", start, None, toa.astype(int)),
        ev44_message("dummy_beam_monitor", "monitor1", start + NS_PER_S, None, [0]),
    ]
    results = results_of(h.step(raws), JobId.model_validate(document["job_id"]))
    assert results["counts_in_toa_range"].value == 3  # 10, 20 and 29.999 ms
    assert results["counts_total"].value == 6
    assert results["counts_in_toa_range_cumulative"].value == 3


def test_unknown_params_fields_are_ignored_and_named_in_the_job_heartbeat() -> None:
    h = Harness("detector_data")
    document = dashboard_config(
        "dummy/panel_0_xy/1", "panel_0", extra={"future_option": {"on": True}}
    )
    document["params"]["toa_edges"]["colour"] = "red"  # nested, unknown too
    first = h.step([as_record(document)])
    (answer,) = answers(first, document["message_id"])
    assert answer.response.value == "ACK", answer.message
    assert h.counters.get("params_fields_ignored") == 1
    raws, _ = data_for("panel_0", t0())
    out = first + h.step(raws)
    job = JobId.model_validate(document["job_id"])
    warnings = [
        m.value.warning
        for t, m in out
        if isinstance(m.value, JobStatus) and m.value.job_id == job
    ]
    assert warnings and "future_option" in warnings[-1]
    assert "toa_edges.colour" in warnings[-1]
    assert "cumulative" in results_of(out, job)


def test_roi_roles_other_than_their_own_stream_are_refused() -> None:
    h = Harness("detector_data")
    document = dashboard_config("dummy/panel_0_xy/1", "panel_0")
    document["aux_source_names"]["roi_rectangle"] = "someone_elses_roi"
    (answer,) = answers(h.step([as_record(document)]), document["message_id"])
    assert answer.response.value == "ERR"
    assert "roi_rectangle" in answer.message


@pytest.mark.parametrize(
    "workflow_id", ["dummy/panel_0_xy/7", "dummy/no_such_workflow/3"]
)
def test_an_id_no_service_implements_gets_exactly_one_err(workflow_id) -> None:
    harnesses = [Harness(service) for service in SERVICES]
    instrument, name, version = workflow_id.split("/")
    document = {
        "kind": "workflow_config",
        "identifier": {"instrument": instrument, "name": name, "version": int(version)},
        "message_id": "m-unknown",
        "job_id": {"source_name": "area_panel", "job_number": str(JobId(source_name="x").job_number)},
        "schedule": {"start_time": None, "end_time": None},
        "aux_source_names": {},
        "params": {},
    }  # fmt: skip
    replies = [
        a
        for h in harnesses
        for a in answers(h.step([as_record(document)]), "m-unknown")
    ]
    assert len(replies) == 1
    assert replies[0].response.value == "ERR"
    assert workflow_id in replies[0].message


def test_a_job_command_for_an_unknown_id_gets_exactly_one_err() -> None:
    harnesses = [Harness(service) for service in SERVICES]
    document = {
        "kind": "job_command",
        "message_id": "m-stop",
        "job_id": None,
        "workflow_id": "dummy/panel_0_xy/7",
        "action": "stop",
    }
    record = as_record(document)
    replies = [a for h in harnesses for a in answers(h.step([record]), "m-stop")]
    assert [r.response.value for r in replies] == ["ERR"]
    assert "dummy/panel_0_xy/7" in replies[0].message


@pytest.mark.parametrize("kind", ["workflow_config", "job_command"])
def test_a_null_message_id_is_refused_counted_and_logged(kind, caplog) -> None:
    """The facility's services refuse ``message_id: null``; with no id to answer
    to, no service answers (an ERR nobody can match helps no one): every one
    drops it and counts why, and nothing runs."""
    if kind == "workflow_config":
        document = dashboard_config("dummy/monitor_histogram/1", "monitor1")
    else:
        document = {"kind": "job_command", "job_id": None, "workflow_id": None,
                    "action": "stop"}  # fmt: skip
    document["message_id"] = None
    harnesses = [Harness(service) for service in SERVICES]
    with caplog.at_level("WARNING", logger="livedata.kafka.routing"):
        outs = [h.step([as_record(document)]) for h in harnesses]
    assert not [m for out in outs for t, m in out if t == "dummy_livedata_responses"]
    for h in harnesses:
        assert h.counters.get("invalid_input:command_message_id_null") == 1
    assert not [m for out in outs for _, m in out if isinstance(m.value, JobStatus)]
    assert any("message_id is null" in r.getMessage() for r in caplog.records)
