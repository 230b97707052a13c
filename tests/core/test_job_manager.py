"""JobManager: namespace scoping, ACK/ERR, JobCommand targeting, batches, statuses."""

import uuid
from typing import Any

import pydantic
import pytest

from livedata.core.commands import (
    JobAction,
    JobCommand,
    JobSchedule,
    Response,
    UnreadableCommand,
    WorkflowConfig,
)
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.job_manager import JobManager
from livedata.core.metrics import Counters
from livedata.core.status import JobState
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.core.workflow_spec import AuxInput, WorkflowRegistry, WorkflowSpec

S = 1_000_000_000


class Params(pydantic.BaseModel):
    scale: int = 1


class FakeWorkflow:
    def __init__(self, context: WorkflowContext) -> None:
        self.context = context
        self.calls: list[dict[str, Any]] = []
        self.total = 0

    def accumulate(self, data, *, start_time, end_time) -> None:
        self.calls.append(dict(data))
        self.total += data.get(self.context.source_name, 0)

    def finalize(self) -> dict[str, Any]:
        return {"total": self.total * self.context.params.scale}

    def clear(self) -> None:
        self.total = 0


def spec(name: str, namespace: str = "detector_data", **kwargs) -> WorkflowSpec:
    return WorkflowSpec(
        instrument="dummy",
        name=name,
        namespace=namespace,
        title=name,
        source_names=("panel_0", "panel_1"),
        outputs={},
        params=Params,
        **kwargs,
    )


VIEW = spec(
    "view",
    aux_inputs={
        "monitor": AuxInput(title="Monitor", choices=("monitor1", "monitor2")),
        "angle": AuxInput(title="Angle", default="rotation", required=True),
    },
    accepts_roi=True,
)
PLAIN = spec("plain")
FOREIGN = spec("histogram", namespace="monitor_data")
NO_FACTORY = spec("unbuilt")
BROKEN = spec("broken")

workflows: list[FakeWorkflow] = []


def factory(context: WorkflowContext) -> FakeWorkflow:
    workflows.append(FakeWorkflow(context))
    return workflows[-1]


def failing_factory(context: WorkflowContext) -> FakeWorkflow:
    raise RuntimeError("geometry file missing\ntraceback noise")


@pytest.fixture
def counters() -> Counters:
    return Counters()


@pytest.fixture
def manager(counters) -> JobManager:
    workflows.clear()
    registry = WorkflowRegistry()
    for s in (VIEW, PLAIN, FOREIGN, NO_FACTORY, BROKEN):
        registry.register(s)
    for s in (VIEW, PLAIN, FOREIGN):
        registry.attach_factory(s.workflow_id, factory)
    registry.attach_factory(BROKEN.workflow_id, failing_factory)
    return JobManager("dummy", "detector_data", registry, counters)


def config(workflow: WorkflowSpec | WorkflowId, source="panel_0", **kwargs):
    identifier = workflow if isinstance(workflow, WorkflowId) else workflow.workflow_id
    return WorkflowConfig(
        identifier=identifier, job_id=JobId(source_name=source), **kwargs
    )


def run(manager: JobManager, second: int, **data):
    start, end = Timestamp(second * S), Timestamp((second + 1) * S)
    # A job subscribes by stream name, so the kind is any.
    streams = {StreamId(StreamKind.LOG, name): value for name, value in data.items()}
    return manager.process(start, end, streams)


def test_owned_config_is_acknowledged_with_the_source_as_device(manager):
    cfg = config(PLAIN, params={"scale": 2})
    [ack] = manager.handle_command(cfg)
    assert (ack.message_id, ack.device, ack.response, ack.message) == (
        cfg.message_id,
        "panel_0",
        Response.ACK,
        None,
    )
    assert manager.active_job_count == 1
    assert workflows[0].context.params == Params(scale=2)
    assert workflows[0].context.instrument == "dummy"


def test_empty_params_mean_defaults(manager):
    manager.handle_command(config(PLAIN, params={}))
    assert workflows[0].context.params == Params()


@pytest.mark.parametrize(
    "cfg",
    [
        config(FOREIGN),  # another service's namespace
        config(WorkflowId(instrument="dream", name="plain", version=1)),
        config(WorkflowId(instrument="dummy", name="nonexistent", version=1)),
    ],
    ids=["other-namespace", "other-instrument", "unknown-workflow"],
)
def test_configs_not_ours_get_no_answer_and_are_counted(manager, counters, cfg):
    assert manager.handle_command(cfg) == []
    assert counters.get("commands_ignored") == 1
    assert manager.active_job_count == 0


@pytest.mark.parametrize(
    ("cfg", "reason"),
    [
        (config(PLAIN, source="panel_9"), "source 'panel_9' is not one of panel_0"),
        (config(PLAIN, params={"scale": "many"}), "ValidationError"),
        (config(PLAIN, params={"bogus": 1}, aux_source_names={"x": "y"}), "aux role"),
        (config(VIEW, aux_source_names={"monitor": "monitor7"}), "not one of"),
        (config(NO_FACTORY), "no factory attached"),
        (config(BROKEN), "RuntimeError: geometry file missing"),
    ],
    ids=["source", "params", "role", "choice", "no-factory", "factory-fails"],
)
def test_owned_but_invalid_config_is_rejected_with_a_one_line_reason(
    manager, counters, cfg, reason
):
    [err] = manager.handle_command(cfg)
    assert err.response is Response.ERR
    assert err.device == cfg.job_id.source_name
    assert reason in err.message
    assert "\n" not in err.message
    assert manager.active_job_count == 0


def test_second_config_for_same_job_finishes_the_old_one_then_replaces_it(
    manager, counters
):
    job_id = JobId(source_name="panel_0")
    manager.handle_command(
        WorkflowConfig(identifier=PLAIN.workflow_id, job_id=job_id, params={})
    )
    [first] = run(manager, 1, panel_0=2)
    assert first.outputs == {"total": 2}
    [ack] = manager.handle_command(
        WorkflowConfig(identifier=PLAIN.workflow_id, job_id=job_id, params={"scale": 3})
    )
    assert ack.response is Response.ACK
    # The old job owes its final result and one ``stopped`` status.
    [final] = manager.finalize_finishing()
    assert final.outputs == {"total": 2}
    assert [s.state for s in manager.job_statuses()] == [
        JobState.STOPPED,
        JobState.SCHEDULED,
    ]
    assert manager.active_job_count == 1
    [result] = run(manager, 2, panel_0=2)
    assert result.outputs == {"total": 6}
    assert [s.state for s in manager.job_statuses()] == [JobState.ACTIVE]
    assert counters.get("jobs_replaced") == 1


def test_replaced_job_without_data_stops_without_a_result(manager):
    job_id = JobId(source_name="panel_0")
    for scale in (1, 2):
        manager.handle_command(
            WorkflowConfig(
                identifier=PLAIN.workflow_id, job_id=job_id, params={"scale": scale}
            )
        )
    assert manager.finalize_finishing() == []
    states = [s.state for s in manager.job_statuses()]
    assert states == [JobState.STOPPED, JobState.SCHEDULED]
    assert manager.active_job_count == 1


@pytest.mark.parametrize(
    ("start", "end"), [(10 * S, 5 * S), (10 * S, 10 * S)], ids=["reversed", "empty"]
)
def test_schedule_that_ends_before_it_starts_gets_err(manager, counters, start, end):
    cfg = config(PLAIN, schedule=JobSchedule(start_time=start, end_time=end))
    [err] = manager.handle_command(cfg)
    assert err.response is Response.ERR
    assert "end_time" in err.message and "not after start_time" in err.message
    assert manager.active_job_count == 0
    assert counters.get("commands_rejected") == 1


def test_schedule_with_open_ends_or_proper_order_is_accepted(manager):
    for schedule in (
        JobSchedule(start_time=5 * S),
        JobSchedule(end_time=5 * S),
        JobSchedule(start_time=5 * S, end_time=6 * S),
    ):
        [ack] = manager.handle_command(config(PLAIN, schedule=schedule))
        assert ack.response is Response.ACK
    assert manager.active_job_count == 3


def test_jobs_get_their_subscribed_inputs_renamed_to_input_keys(manager):
    cfg = config(VIEW, aux_source_names={"monitor": "monitor2"})
    manager.handle_command(cfg)
    [wf] = workflows
    assert wf.context.aux_source_names == {"monitor": "monitor2", "angle": "rotation"}
    roi = f"panel_0/{cfg.job_id.job_number}/roi_rectangle"
    assert run(manager, 1, rotation=45.0, monitor1=1, monitor2=2, **{roi: "box"}) == []
    assert wf.calls == [{"angle": 45.0, "monitor": 2, "roi_rectangle": "box"}]


def test_required_aux_input_keeps_job_pending_until_delivered(manager):
    manager.handle_command(config(VIEW))
    assert run(manager, 1, panel_0=5) == []
    [status] = manager.job_statuses()
    assert status.state is JobState.PENDING_CONTEXT
    [result] = run(manager, 2, panel_0=1, rotation=10.0)
    assert result.outputs == {"total": 6}  # the held window's events count too
    assert manager.job_statuses()[0].state is JobState.ACTIVE


def test_only_jobs_with_primary_data_in_the_batch_are_finalized(manager):
    manager.handle_command(config(PLAIN, source="panel_0"))
    manager.handle_command(config(PLAIN, source="panel_1"))
    results = run(manager, 1, panel_1=4)
    assert [r.job_id.source_name for r in results] == ["panel_1"]
    assert len(workflows[0].calls) == 0


def test_scheduled_job_activates_and_ends_by_data_time(manager):
    manager.handle_command(
        config(PLAIN, schedule=JobSchedule(start_time=10 * S, end_time=12 * S))
    )
    assert run(manager, 8, panel_0=1) == []
    assert manager.job_statuses()[0].state is JobState.SCHEDULED
    assert len(run(manager, 10, panel_0=1)) == 1
    assert len(run(manager, 11, panel_0=1)) == 1
    [final] = run(manager, 12, panel_0=100)
    assert final.outputs == {"total": 2}
    [status] = manager.job_statuses()
    assert status.state is JobState.STOPPED
    assert manager.job_statuses() == []  # reported once, then removed
    assert manager.active_job_count == 0


def _job_command(**kwargs) -> JobCommand:
    return JobCommand(message_id=f"m-{uuid.uuid4()}", **kwargs)


def test_job_command_targets_one_job_by_id(manager):
    manager.handle_command(config(PLAIN, source="panel_0"))
    manager.handle_command(config(PLAIN, source="panel_1"))
    target = manager.jobs[1].job_id
    [ack] = manager.handle_command(_job_command(job_id=target, action=JobAction.PAUSE))
    assert ack.response is Response.ACK
    assert ack.device == f"panel_1/{target.job_number}"
    states = {s.job_id.source_name: s.state for s in manager.job_statuses()}
    assert states == {"panel_0": JobState.SCHEDULED, "panel_1": JobState.WARNING}


def test_job_command_by_workflow_answers_once_per_job_of_it(manager):
    manager.handle_command(config(PLAIN, source="panel_0"))
    manager.handle_command(config(PLAIN, source="panel_1"))
    manager.handle_command(config(VIEW, source="panel_0"))
    acks = manager.handle_command(
        _job_command(workflow_id=PLAIN.workflow_id, action=JobAction.STOP)
    )
    plain_jobs = {
        str(j.job_id) for j in manager.jobs if j.workflow_id == PLAIN.workflow_id
    }
    assert {a.device for a in acks} == plain_jobs
    assert len(acks) == 2


def test_job_command_for_all_answers_once_per_job(manager):
    manager.handle_command(config(PLAIN, source="panel_0"))
    manager.handle_command(config(VIEW, source="panel_1"))
    command = _job_command(action=JobAction.RESET)
    acks = manager.handle_command(command)
    assert sorted(a.device for a in acks) == sorted(str(j.job_id) for j in manager.jobs)
    assert all(
        a.response is Response.ACK and a.message_id == command.message_id for a in acks
    )


@pytest.mark.parametrize(
    "target",
    [
        {"job_id": JobId(source_name="panel_0", job_number=uuid.uuid4())},
        {"workflow_id": FOREIGN.workflow_id},
        {},
    ],
    ids=["unknown-job", "other-workflow", "all-but-none-running"],
)
def test_job_command_affecting_no_job_gets_no_answer(manager, counters, target):
    if target:
        manager.handle_command(config(PLAIN))
    assert manager.handle_command(_job_command(action=JobAction.STOP, **target)) == []
    assert counters.get("commands_ignored") == 1


def test_pause_resume_reset_and_stop_through_commands(manager):
    manager.handle_command(config(PLAIN))
    run(manager, 1, panel_0=1)
    manager.handle_command(_job_command(action=JobAction.PAUSE))
    assert run(manager, 2, panel_0=1) == []
    manager.handle_command(_job_command(action=JobAction.RESUME))
    [result] = run(manager, 3, panel_0=1)
    assert result.outputs == {"total": 2}
    manager.handle_command(_job_command(action=JobAction.RESET))
    [result] = run(manager, 4, panel_0=5)
    assert result.outputs == {"total": 5}
    manager.handle_command(_job_command(action=JobAction.STOP))
    assert manager.job_statuses()[0].state is JobState.FINISHING
    [final] = manager.finalize_finishing()
    assert final.outputs == {"total": 5}
    assert manager.job_statuses()[0].state is JobState.STOPPED
    # a stopped job is no longer a target
    assert manager.handle_command(_job_command(action=JobAction.STOP)) == []


def test_stop_all_and_finalize_finishing_give_last_results_of_jobs_with_data(manager):
    manager.handle_command(config(PLAIN, source="panel_0"))
    manager.handle_command(config(PLAIN, source="panel_1"))
    run(manager, 1, panel_0=3)
    manager.stop_all()
    results = manager.finalize_finishing()
    assert [r.job_id.source_name for r in results] == ["panel_0"]
    assert manager.active_job_count == 0
    assert {s.state for s in manager.job_statuses()} == {JobState.STOPPED}


def test_invalid_params_are_named_in_the_err(manager):
    [err] = manager.handle_command(config(PLAIN, params={"scale": "many"}))
    assert err.message.startswith("ValidationError: scale: ")
    assert "integer" in err.message
    assert "\n" not in err.message


def test_unreadable_command_gets_err_from_the_owner_only(manager, counters):
    unreadable = UnreadableCommand(
        message_id="m1",
        workflow_id=PLAIN.workflow_id,
        source_name="panel_0",
        reason="invalid command: workflow_config.schedule: bad",
    )
    [err] = manager.handle_command(unreadable)
    assert (err.message_id, err.device, err.response) == ("m1", "panel_0", Response.ERR)
    assert err.message == unreadable.reason
    foreign = UnreadableCommand("m2", FOREIGN.workflow_id, None, "bad")
    anonymous = UnreadableCommand("m3", None, None, "bad")
    assert manager.handle_command(foreign) == []
    assert manager.handle_command(anonymous) == []
    assert counters.get("commands_ignored") == 2
    assert manager.active_job_count == 0
