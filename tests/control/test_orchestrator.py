"""Validation, staging and adoption, with commands captured at the transport."""

import uuid

import pytest

from livedata.control.command_service import CommandService
from livedata.control.job_service import JobService
from livedata.control.orchestrator import Orchestrator, nest_dotted
from livedata.control.pending import PendingCommands
from livedata.core.commands import JobAction, JobCommand, WorkflowConfig
from livedata.core.identifiers import JobId
from livedata.core.status import JobState, JobStatus
from livedata.instruments import get_instrument
from tests.control.plane_helpers import FakeClock

MONITORS = "dummy/monitor_histogram/2"


class RecordingTransport:
    def __init__(self) -> None:
        self.sent = []

    def send(self, message):
        self.sent.append(message.value)

    def poll(self, timeout):
        return []

    def close(self):
        pass


@pytest.fixture
def sent():
    return RecordingTransport()


@pytest.fixture
def orchestrator(sent):
    clock = FakeClock()
    jobs = JobService(clock=clock)
    commands = CommandService(sent, PendingCommands(clock=clock))
    orch = Orchestrator("dummy", get_instrument("dummy").workflows, commands, jobs)
    orch.job_service = jobs
    return orch


def test_start_sends_one_full_config_per_source(orchestrator, sent):
    row = orchestrator.start(
        MONITORS, ["monitor1", "monitor2"], {"toa_edges.num_bins": 8}
    )
    assert [type(c) for c in sent.sent] == [WorkflowConfig, WorkflowConfig]
    assert {c.message_id for c in sent.sent} == {row.message_id}
    assert [c.job_id.source_name for c in sent.sent] == ["monitor1", "monitor2"]
    params = sent.sent[0].params
    assert params["toa_edges"]["num_bins"] == 8
    assert "coordinate_mode" in params  # defaults filled in for the service


def test_staging_merges_and_validates_without_sending(orchestrator, sent):
    orchestrator.stage(MONITORS, params={"toa_edges.num_bins": 8})
    staged = orchestrator.stage(MONITORS, params={"toa_edges": {"start": 1.0}})
    assert staged.source_names == ("monitor1", "monitor2")
    assert staged.params == {"toa_edges": {"num_bins": 8, "start": 1.0}}
    with pytest.raises(ValueError, match="valid params"):
        orchestrator.stage(MONITORS, params={"toa_edges.num_bins": "x"})
    assert orchestrator.staged(MONITORS) == staged
    assert sent.sent == []


def test_workflows_without_params_reject_params(orchestrator):
    spec = next(s for s in orchestrator.specs() if s.params is None)
    with pytest.raises(ValueError, match="takes no params"):
        orchestrator.validate(spec.workflow_id, spec.source_names, {"a": 1})


def test_unknown_aux_input_lists_the_valid_ones(orchestrator):
    with pytest.raises(ValueError, match="valid aux inputs"):
        orchestrator.validate(MONITORS, ["monitor1"], aux_source_names={"x": "y"})


def test_other_instruments_workflows_are_unknown(orchestrator):
    with pytest.raises(ValueError, match="unknown workflow dream/x/1 for dummy"):
        orchestrator.spec("dream/x/1")


def test_bad_job_ids_are_rejected_before_sending(orchestrator, sent):
    with pytest.raises(ValueError, match="source/uuid"):
        orchestrator.act_on_jobs(JobAction.STOP, ["nonsense"])
    assert sent.sent == []


def test_adopted_jobs_are_stopped_by_workflow(orchestrator, sent):
    job = JobId(source_name="monitor1", job_number=uuid.uuid4())
    status = JobStatus(state=JobState.ACTIVE, job_id=job, workflow_id=MONITORS)
    assert orchestrator.observe_job(status)
    assert not orchestrator.observe_job(status)
    row = orchestrator.stop(MONITORS)
    assert [c.job_id for c in sent.sent] == [job]
    assert row.job_ids == (str(job),)
    assert orchestrator.running_jobs(MONITORS) == []


def test_a_stopped_heartbeat_forgets_the_job(orchestrator):
    job = JobId(source_name="monitor1")
    orchestrator.observe_job(
        JobStatus(state=JobState.ACTIVE, job_id=job, workflow_id=MONITORS)
    )
    orchestrator.observe_job(
        JobStatus(state=JobState.STOPPED, job_id=job, workflow_id=MONITORS)
    )
    assert orchestrator.running_jobs(MONITORS) == []


def test_stopping_an_unknown_workflow_goes_to_every_service(orchestrator, sent):
    row = orchestrator.stop(MONITORS)
    (command,) = sent.sent
    assert isinstance(command, JobCommand)
    assert command.job_id is None and str(command.workflow_id) == MONITORS
    assert row.expected is None  # unknown: any answers within the timeout


def test_nest_dotted():
    assert nest_dotted({"a.b": 1, "a": {"c": 2}, "d": 3}) == {
        "a": {"b": 1, "c": 2},
        "d": 3,
    }


def _adopt(orchestrator, source: str, workflow: str = MONITORS) -> JobId:
    job = JobId(source_name=source, job_number=uuid.uuid4())
    orchestrator.observe_job(
        JobStatus(state=JobState.ACTIVE, job_id=job, workflow_id=workflow)
    )
    return job


def test_reset_of_a_workflow_resets_each_of_its_jobs_and_keeps_them(orchestrator, sent):
    one, two = _adopt(orchestrator, "monitor1"), _adopt(orchestrator, "monitor2")
    _adopt(orchestrator, "panel_0", "dummy/panel_0_xy/2")
    row = orchestrator.reset(MONITORS)
    assert [(c.action, c.job_id) for c in sent.sent] == [
        (JobAction.RESET, one),
        (JobAction.RESET, two),
    ]
    assert {c.message_id for c in sent.sent} == {row.message_id}
    assert row.expected == 2 and row.job_ids == (str(one), str(two))
    # a reset job carries on: it is still this client's to stop
    assert orchestrator.running_jobs(MONITORS) == [str(one), str(two)]


def test_reset_of_a_workflow_with_no_known_job_goes_to_every_service(
    orchestrator, sent
):
    row = orchestrator.reset(MONITORS)
    (command,) = sent.sent
    assert command.action is JobAction.RESET and command.job_id is None
    assert str(command.workflow_id) == MONITORS
    assert row.expected is None


def test_reset_all_waits_for_every_known_job_and_forgets_none(orchestrator, sent):
    jobs = {str(_adopt(orchestrator, "monitor1")), str(_adopt(orchestrator, "panel_0"))}
    row = orchestrator.act_on_all(JobAction.RESET)
    (command,) = sent.sent
    assert command.action is JobAction.RESET
    assert command.job_id is None and command.workflow_id is None
    assert set(row.job_ids) == jobs and row.expected == 2
    assert set(orchestrator.running_jobs()) == jobs


class FailingAfter(RecordingTransport):
    def __init__(self, allow: int) -> None:
        super().__init__()
        self.allow = allow

    def send(self, message):
        if len(self.sent) >= self.allow:
            raise ConnectionError("broker gone")
        super().send(message)


@pytest.mark.parametrize(("allow", "outcome"), [(0, "not sent"), (1, "pending")])
def test_a_start_not_sent_is_not_an_err(allow, outcome):
    clock = FakeClock()
    transport = FailingAfter(allow)
    commands = CommandService(transport, PendingCommands(clock=clock))
    orch = Orchestrator(
        "dummy", get_instrument("dummy").workflows, commands, JobService(clock=clock)
    )
    row = orch.start(MONITORS, ["monitor1", "monitor2"])
    assert row.outcome.value == outcome
    if allow:  # monitor1's config went out: monitor2 is an ERR, monitor1 awaited
        assert row.answers == (("monitor2", "ERR", "not sent: broker gone"),)
    else:
        assert row.errors == ("client: not sent: broker gone",)
