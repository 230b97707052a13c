"""Jobs of a workflow with no data input (``WorkflowSpec.data_input=False``).

A wavelength table reads no stream: its job computes and publishes as soon as
the service has taken the config, again after a reset, a restart (restored
from the commands topic) or a new aux value, and never otherwise; a stop adds
no result. Health stays honest: no data windows are counted for it, its
results are.
"""

from typing import Any

import pytest
import scipp as sc

from livedata.control.health import warnings_of
from livedata.core.commands import (
    JobAction,
    JobCommand,
    JobSchedule,
    Response,
    WorkflowConfig,
)
from livedata.core.identifiers import JobId
from livedata.core.status import JobState, JobStatus, ServiceStatus
from livedata.core.stream import StreamKind
from livedata.core.timestamp import Duration, Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.core.workflow_spec import AuxInput, WorkflowSpec
from tests.core.processor_fakes import T0
from tests.core.test_processor import Rig, command, data, of

TABLE = WorkflowSpec(
    instrument="dummy",
    name="table",
    namespace="detector_data",
    title="Table",
    source_names=("cascade",),
    outputs={},
    aux_inputs={"setting": AuxInput(title="Setting", default="speed")},
    data_input=False,
)


class TableWorkflow:
    """Publishes how many times it computed and the last aux value."""

    def __init__(self, context: WorkflowContext) -> None:
        self.computed = 0
        self.setting = 0
        self.fresh = False

    def accumulate(self, data, *, start_time, end_time) -> None:
        self.setting = data.get("setting", self.setting)
        self.fresh = False

    def finalize(self) -> dict[str, Any]:
        if not self.fresh:
            self.computed += 1
            self.fresh = True
        value = float(self.computed * 100 + self.setting)
        return {"table": sc.DataArray(sc.scalar(value, unit="angstrom"))}

    def clear(self) -> None:
        self.fresh = False


@pytest.fixture
def rig() -> Rig:
    rig = Rig(workflows=((TABLE, TableWorkflow),))
    rig.cycle()  # the first heartbeat
    return rig


def start(rig: Rig, **fields) -> tuple[WorkflowConfig, list]:
    config = WorkflowConfig(
        identifier=TABLE.workflow_id, job_id=JobId(source_name="cascade"), **fields
    )
    return config, rig.cycle(command(config))


def values(out) -> list[float]:
    return [m.value.value for m in of(out, StreamKind.LIVEDATA_DATA)]


def test_publishes_once_on_start_with_no_data_at_all(rig):
    _, out = start(rig)
    [ack] = of(out, StreamKind.LIVEDATA_RESPONSES)
    assert ack.value.response is Response.ACK
    [result] = of(out, StreamKind.LIVEDATA_DATA)
    assert result.value.value == 100.0
    assert result.timestamp == rig.clock.now  # wall clock: there is no data time
    assert values(rig.cycle()) == []
    # Data of a stream named like its source is not its input.
    assert values(rig.cycle(data("cascade", 1))) == []


def test_reset_and_a_new_aux_value_publish_again_stop_does_not(rig):
    config, _ = start(rig)
    reset = JobCommand(job_id=config.job_id, action=JobAction.RESET)
    assert values(rig.cycle(command(reset))) == [200.0]
    log = data("speed", 7, kind=StreamKind.LOG)
    assert values(rig.cycle(log)) == [307.0]
    stop = JobCommand(job_id=config.job_id, action=JobAction.STOP)
    out = rig.cycle(command(stop))
    assert [a.value.response for a in of(out, StreamKind.LIVEDATA_RESPONSES)] == [
        Response.ACK
    ]
    assert values(out) == []


def test_a_paused_job_publishes_its_reset_when_resumed(rig):
    config, _ = start(rig)
    for action in (JobAction.PAUSE, JobAction.RESET):
        out = rig.cycle(command(JobCommand(job_id=config.job_id, action=action)))
        assert values(out) == []
    resume = JobCommand(job_id=config.job_id, action=JobAction.RESUME)
    assert values(rig.cycle(command(resume))) == [200.0]


def test_a_restored_job_publishes_at_the_first_cycle(rig):
    config = WorkflowConfig(
        identifier=TABLE.workflow_id, job_id=JobId(source_name="cascade")
    )
    assert rig.processor.restore_jobs([config]) == [config.job_id]
    assert values(rig.cycle()) == [100.0]


def test_a_schedule_is_refused_with_a_reason(rig):
    later = T0 + 10 * 1_000_000_000
    _, out = start(rig, schedule=JobSchedule(start_time=later))
    [err] = of(out, StreamKind.LIVEDATA_RESPONSES)
    assert err.value.response is Response.ERR
    assert "reads no data" in err.value.message


def test_heartbeats_say_active_and_healthy_without_input(rig):
    start(rig)
    for _ in range(12):  # a long while with nothing to read
        rig.clock.now = rig.clock.now + Duration.from_seconds(2)
        out = rig.cycle()
    service, job = (m.value for m in of(out, StreamKind.LIVEDATA_STATUS))
    assert isinstance(job, JobStatus)
    assert job.state is JobState.ACTIVE and job.warning is None
    assert isinstance(service, ServiceStatus)
    assert service.counters.get("job_results") == 1
    assert "job_input_windows" not in service.counters
    assert warnings_of(service, service.counters) == []
    assert job.start_time == job.end_time == Timestamp(T0).ns
