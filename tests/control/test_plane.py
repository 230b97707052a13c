"""The whole client side against real services on the in-memory bus."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import scipp as sc

from livedata.control.api import ControlApi, NoJobsToActOn
from livedata.control.snapshots import CommandOutcome, Health
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.message import Message
from livedata.kafka.wire_builders import da00_message
from tests.control.plane_helpers import DroppingTransport, Setup

MONITORS = "dummy/monitor_histogram/2"


@pytest.fixture
def setup(tmp_path):
    return Setup(tmp_path, "monitor_data")


def service_health(plane) -> dict[str, Health]:
    return {r.service_name: r.health for r in plane.snapshot().services}


def job_states(plane) -> dict[str, str]:
    return {r.job_id: r.state for r in plane.snapshot().jobs}


def test_plane_satisfies_the_client_protocol(setup):
    api: ControlApi = setup.plane()
    assert isinstance(api, ControlApi)  # every member the clients use is there
    assert api.instrument == "dummy"
    assert api.snapshot().version == api.version
    assert api.last_config(MONITORS) is None


def test_start_job_is_acknowledged_with_its_job_ids(setup):
    plane = setup.plane()
    row = plane.start_job(MONITORS, ["monitor1", "monitor2"])
    assert row.outcome is CommandOutcome.PENDING
    assert row.expected == 2
    done = plane.wait(row.message_id, 5)
    assert done.outcome is CommandOutcome.ACK
    assert {d for d, r, _ in done.answers if r == "ACK"} == {"monitor1", "monitor2"}
    assert [JobId.model_validate(j).source_name for j in done.job_ids] == [
        "monitor1",
        "monitor2",
    ]
    setup.beat(plane)
    assert set(job_states(plane)) == set(done.job_ids)
    assert all(row.workflow_id == MONITORS for row in plane.snapshot().jobs)


def test_start_job_works_with_the_pump_thread(setup):
    with setup.plane(poll_timeout_s=0.02) as plane:
        row = plane.start_job(MONITORS, ["monitor1"])
        assert plane.wait(row.message_id, 5).outcome is CommandOutcome.ACK


@pytest.mark.parametrize(
    ("workflow", "sources", "params", "words"),
    [
        ("dummy/nope/1", ["monitor1"], {}, ["unknown workflow", MONITORS]),
        ("not-a-workflow", ["monitor1"], {}, ["instrument/name/version"]),
        (MONITORS, ["panel_0"], {}, ["unknown source panel_0", "monitor1, monitor2"]),
        (MONITORS, ["monitor1"], {"bins": 3}, ["unknown param bins", "toa_edges"]),
        (
            MONITORS,
            ["monitor1"],
            {"toa_edges.num_bins": "many"},
            ["toa_edges.num_bins", "valid params"],
        ),
    ],
)
def test_invalid_start_raises_one_line_and_sends_nothing(
    setup, workflow, sources, params, words
):
    plane = setup.plane()
    with pytest.raises(ValueError) as info:
        plane.start_job(workflow, sources, params)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message
    assert setup.commands_sent() == 0
    assert plane.snapshot().commands == ()


def test_config_the_service_rejects_resolves_err(setup):
    plane = setup.plane()
    # Bypass the client's validation: the service is the last line of defence.
    row = plane.commands.start_jobs(
        WorkflowId.parse_str(MONITORS),
        [JobId(source_name="monitor1")],
        params={"toa_edges": {"num_bins": "many"}},
    )
    done = plane.wait(row.message_id, 5)
    assert done.outcome is CommandOutcome.ERR
    assert done.errors and done.errors[0].startswith("monitor1: ")
    assert any(n.level == "error" for n in plane.snapshot().notifications)


def test_two_sources_one_answer_is_partial_at_timeout(setup):
    lossy = DroppingTransport(
        setup.bus.transport(),
        drop=lambda m: m.value.job_id.source_name == "monitor2",
    )
    plane = setup.plane(lossy, command_timeout_s=30)
    row = plane.start_job(MONITORS, ["monitor1", "monitor2"])
    plane.pump_once()
    assert plane.pending.row(row.message_id).outcome is CommandOutcome.PENDING
    setup.clock.advance(31)
    plane.pump_once()
    done = plane.snapshot().commands[0]
    assert done.outcome is CommandOutcome.PARTIAL
    assert [(d, r) for d, r, _ in done.answers] == [("monitor1", "ACK")]


def test_no_service_means_timeout(tmp_path):
    setup = Setup(tmp_path)  # nothing listens
    plane = setup.plane()
    row = plane.start_job(MONITORS, ["monitor1"])
    assert plane.wait(row.message_id, 0.3).outcome is CommandOutcome.TIMEOUT


def test_heartbeats_make_services_ok_and_silence_makes_them_stale(setup):
    plane = setup.plane()
    plane.pump_once()
    assert service_health(plane) == {"monitor_data": Health.OK}
    setup.beat(plane)
    row = plane.snapshot().services[0]
    assert row.age_s == 0.0 and row.messages_per_s is not None
    setup.services["monitor_data"].crash()
    setup.clock.advance(5.9)  # within three intervals
    plane.pump_once()
    assert service_health(plane) == {"monitor_data": Health.OK}
    setup.clock.advance(0.2)
    plane.pump_once()
    assert service_health(plane) == {"monitor_data": Health.STALE}
    assert "STALE" in plane.snapshot().notifications[-1].text


def test_graceful_stop_is_stopping_then_stopped_never_stale(setup):
    plane = setup.plane()
    plane.pump_once()
    service = setup.services["monitor_data"]
    service.begin_shutdown()
    plane.pump_once()
    assert service_health(plane) == {"monitor_data": Health.STOPPING}
    service.finish_shutdown()
    plane.pump_once()
    assert service_health(plane) == {"monitor_data": Health.STOPPED}
    setup.clock.advance(60)
    plane.pump_once()
    assert service_health(plane) == {"monitor_data": Health.STOPPED}


def test_jobs_appear_then_leave_after_stop(setup):
    plane = setup.plane()
    row = plane.wait(plane.start_job(MONITORS, ["monitor1"]).message_id, 5)
    setup.beat(plane)
    (job_id,) = row.job_ids
    assert job_states(plane)[job_id] in ("scheduled", "active")
    stop = plane.wait(plane.stop_jobs([job_id]).message_id, 5)
    assert stop.outcome is CommandOutcome.ACK
    assert stop.answers[0][0] == job_id
    setup.beat(plane)
    assert job_states(plane) == {job_id: "stopped"}
    setup.beat(plane, seconds=11)
    assert job_states(plane) == {}


def test_jobs_of_a_vanished_service_become_stale(setup):
    plane = setup.plane()
    row = plane.wait(plane.start_job(MONITORS, ["monitor1"]).message_id, 5)
    setup.beat(plane)
    setup.services["monitor_data"].crash()
    setup.beat(plane, seconds=7)
    assert job_states(plane) == {row.job_ids[0]: "stale"}


def test_a_new_client_adopts_running_jobs_and_can_stop_them(setup, tmp_path):
    first = setup.plane()
    started = first.wait(first.start_job(MONITORS, ["monitor1"]).message_id, 5)
    first.close()
    second = setup.plane(state_dir=tmp_path / "other")
    setup.beat(second)
    assert second.orchestrator.running_jobs(MONITORS) == list(started.job_ids)
    stop = second.wait(second.stop_workflow(MONITORS).message_id, 5)
    assert stop.outcome is CommandOutcome.ACK
    assert stop.job_ids == started.job_ids


def test_stop_all_waits_for_the_jobs_it_knows(setup):
    plane = setup.plane()
    plane.wait(plane.start_job(MONITORS, ["monitor1", "monitor2"]).message_id, 5)
    setup.beat(plane)
    stop = plane.wait(plane.stop_all().message_id, 5)
    assert stop.outcome is CommandOutcome.ACK
    assert stop.expected == 2 and len(stop.answers) == 2


def test_jobs_to_act_on_are_unknown_until_the_services_and_their_jobs_are_heard(
    setup,
):
    plane = setup.plane()
    assert plane.jobs_to_act_on() is None  # nothing heard: cannot tell
    plane.pump_once()
    assert plane.jobs_to_act_on(MONITORS) == ()  # heard: monitor_data runs none
    started = plane.wait(plane.start_job(MONITORS, ["monitor1"]).message_id, 5)
    setup.beat(plane)
    assert plane.jobs_to_act_on(MONITORS) == started.job_ids
    assert plane.jobs_to_act_on("dummy/panel_0_xy/2") is None  # no detector_data
    with pytest.raises(ValueError, match="unknown workflow"):
        plane.jobs_to_act_on("dummy/nope/1")


def test_stop_or_reset_with_nothing_running_is_refused_without_sending(setup):
    plane = setup.plane()
    plane.pump_once()
    sent = setup.commands_sent()
    for act in (
        lambda: plane.stop_workflow(MONITORS),
        lambda: plane.reset_workflow(MONITORS),
        plane.stop_all,
        plane.reset_all,
    ):
        with pytest.raises(NoJobsToActOn, match="no running jobs of"):
            act()
    assert setup.commands_sent() == sent
    assert plane.snapshot().commands == ()


def test_a_job_this_client_started_is_stopped_before_its_heartbeat_arrives(setup):
    plane = setup.plane()
    plane.pump_once()
    started = plane.wait(plane.start_job(MONITORS, ["monitor1"]).message_id, 5)
    assert plane.snapshot().running_jobs(MONITORS) == ()  # not heard yet
    stop = plane.wait(plane.stop_workflow(MONITORS).message_id, 5)
    assert stop.outcome is CommandOutcome.ACK
    assert stop.job_ids == started.job_ids


def test_stop_all_broadcasts_while_no_service_was_heard(setup):
    plane = setup.plane()
    row = plane.stop_all()  # the services may run jobs this client never heard of
    assert row.outcome is CommandOutcome.PENDING and row.expected is None
    assert setup.commands_sent() == 1


def test_commit_replaces_jobs_with_the_same_job_numbers(setup):
    plane = setup.plane()
    plane.orchestrator.stage(MONITORS, ["monitor1"], {"toa_edges.num_bins": 10})
    first = plane.wait(plane.orchestrator.commit(MONITORS).message_id, 5)
    plane.orchestrator.stage(MONITORS, params={"toa_edges.num_bins": 20})
    second = plane.wait(plane.orchestrator.commit(MONITORS).message_id, 5)
    assert first.outcome is second.outcome is CommandOutcome.ACK
    assert first.job_ids == second.job_ids
    record = plane.store.get(MONITORS)
    assert record.committed.params["toa_edges"]["num_bins"] == 20


def test_commands_of_other_clients_are_shown(setup, tmp_path):
    watcher = setup.plane(state_dir=tmp_path / "watcher")
    sender = setup.plane()
    row = sender.wait(sender.start_job(MONITORS, ["monitor1"]).message_id, 5)
    watcher.pump_once()
    (seen,) = watcher.snapshot().commands
    assert seen.message_id == row.message_id
    assert seen.sent_at_s is None
    assert seen.outcome is CommandOutcome.ACK
    assert seen.summary == f"start {MONITORS} on monitor1"


def test_version_grows_on_change_only(setup):
    plane = setup.plane()
    v0 = plane.version
    assert plane.snapshot().version == v0
    plane.pump_once()  # first heartbeat
    v1 = plane.version
    assert v1 > v0
    plane.pump_once()  # nothing new on the bus
    assert plane.version == v1 == plane.snapshot().version
    setup.services["monitor_data"].crash()
    setup.clock.advance(7)
    v2 = plane.version  # staleness is a change, noticed without a message
    assert v2 > v1
    assert plane.version == v2
    plane.start_job(MONITORS, ["monitor1"])
    assert plane.version > v2


class RecordingDataService:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    def add(self, message: Message) -> None:
        self.messages.append(message)

    def result_rows(self):
        return tuple(self.messages)  # what the plane passes on is all we check


def test_results_go_to_the_data_service(setup):
    data = RecordingDataService()
    plane = setup.plane(data_service=data)
    key = ResultKey(
        workflow_id=WorkflowId.parse_str(MONITORS),
        job_id=JobId(source_name="monitor1"),
        output_name="cumulative",
    )
    da = sc.DataArray(
        sc.array(dims=["x"], values=np.arange(3.0), unit="counts"),
        coords={"x": sc.arange("x", 4.0, unit="ms")},
    )
    setup.bus.produce([da00_message("dummy_livedata_data", key.to_json(), 10**18, da)])
    plane.pump_once()
    (message,) = data.messages
    assert ResultKey.from_json(message.stream.name) == key
    assert sc.identical(message.value.data, da.data)
    assert plane.snapshot().results == (message,)


def test_restore_seeds_the_config_store_from_the_commands_topic(setup, tmp_path):
    first = setup.plane()
    first.start_job(MONITORS, ["monitor1"], {"toa_edges.num_bins": 7})
    first.start_job(MONITORS, ["monitor1"], {"toa_edges.num_bins": 9})
    fresh = setup.plane(state_dir=tmp_path / "fresh")
    assert fresh.restore_configs(1.0) == 1
    record = fresh.store.get(MONITORS)
    assert record.committed.source_names == ("monitor1",)
    assert record.committed.params["toa_edges"]["num_bins"] == 9
    assert fresh.orchestrator.staged(MONITORS).params["toa_edges"]["num_bins"] == 9


def test_wait_blocks_a_caller_while_the_pump_delivers(setup):
    plane = setup.plane(poll_timeout_s=0.02)
    row = plane.start_job(MONITORS, ["monitor1"])
    outcome = {}
    waiter = threading.Thread(
        target=lambda: outcome.update(row=plane.wait(row.message_id, 5))
    )
    plane.start()
    try:
        waiter.start()
        waiter.join(6)
    finally:
        plane.close()
    assert outcome["row"].outcome is CommandOutcome.ACK


class _ScriptedTransport:
    """Hands out prepared messages once; records what is sent."""

    def __init__(self, messages):
        self.messages = list(messages)
        self.sent = []

    def send(self, message):
        self.sent.append(message)

    def poll(self, timeout):
        out, self.messages = self.messages, []
        return out

    def close(self):
        pass


def test_commands_and_answers_from_before_the_client_started_are_history(tmp_path):
    import time as _time
    import uuid as _uuid

    from livedata.control.plane import ControlPlane
    from livedata.core.commands import (
        CommandAcknowledgement,
        Response,
        WorkflowConfig,
    )
    from livedata.core.identifiers import JobId, WorkflowId
    from livedata.core.message import Message
    from livedata.core.stream import COMMANDS_STREAM, RESPONSES_STREAM
    from livedata.core.timestamp import Timestamp

    def config():
        return WorkflowConfig(
            identifier=WorkflowId.parse_str("dummy/panel_0_xy/2"),
            job_id=JobId(source_name="panel_0", job_number=_uuid.uuid4()),
        )

    old, new = config(), config()
    long_ago = Timestamp(_time.time_ns() - 60 * 1_000_000_000)
    transport = _ScriptedTransport(
        [
            Message(long_ago, COMMANDS_STREAM, old),
            Message(
                long_ago,
                RESPONSES_STREAM,
                CommandAcknowledgement(
                    message_id=old.message_id, device="panel_0", response=Response.ACK
                ),
            ),
            Message(Timestamp.now(), COMMANDS_STREAM, new),
        ]
    )
    plane = ControlPlane("dummy", transport, state_dir=tmp_path)
    plane.pump_once()
    seen = {row.message_id for row in plane.snapshot().commands}
    assert seen == {new.message_id}
    assert plane.counters.get("history_commands_skipped") == 2
