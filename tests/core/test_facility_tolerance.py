"""What the facility's services tolerate, livedata's tolerate too (issue 12):
unknown params fields, the dashboard's ROI aux roles; and an id no service of the
instrument implements gets exactly one ERR, from the designated service."""

import pydantic
import pytest

from livedata.core.commands import (
    JobAction,
    JobCommand,
    Response,
    UnreadableCommand,
    WorkflowConfig,
)
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.job_manager import JobManager
from livedata.core.lenient_params import validate_leniently
from livedata.core.metrics import Counters
from livedata.core.workflow import WorkflowContext
from livedata.core.workflow_spec import WorkflowRegistry, WorkflowSpec


class Edges(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    start: float = 0.0
    stop: float = 1.0


class Params(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    edges: Edges = Edges()
    scale: int = 1


class Nothing:
    def __init__(self, context: WorkflowContext) -> None:
        self.context = context

    def accumulate(self, data, *, start_time, end_time) -> None:
        pass

    def finalize(self):
        return {}

    def clear(self) -> None:
        pass


class Substitute(Nothing):
    """Runs with something in place of what its params ask for, and says so."""

    config_warning = "no vanadium run: a flat one is used"


def spec(name: str, namespace: str, **kwargs) -> WorkflowSpec:
    return WorkflowSpec(
        instrument="dummy",
        name=name,
        namespace=namespace,
        title=name,
        source_names=("panel_0",),
        outputs={},
        **kwargs,
    )


VIEW = spec("view", "detector_data", params=Params, accepts_roi=True)
BARE = spec("bare", "data_reduction")  # no params at all
SUBSTITUTE = spec("substitute", "data_reduction", params=Params)


def registry() -> WorkflowRegistry:
    reg = WorkflowRegistry()
    for s in (VIEW, BARE):
        reg.register(s)
        reg.attach_factory(s.workflow_id, Nothing)
    reg.register(SUBSTITUTE)
    reg.attach_factory(SUBSTITUTE.workflow_id, Substitute)
    return reg


def managers(counters: Counters) -> list[JobManager]:
    reg = registry()
    return [
        JobManager(
            "dummy", name, reg, counters, answers_unknown=name == "data_reduction"
        )
        for name in ("detector_data", "monitor_data", "data_reduction")
    ]


def config(workflow: WorkflowId, **kwargs) -> WorkflowConfig:
    return WorkflowConfig(
        identifier=workflow, job_id=JobId(source_name="panel_0"), **kwargs
    )


def test_unknown_fields_at_any_depth_are_dropped_and_named() -> None:
    parsed = validate_leniently(
        Params, {"scale": 2, "future": 1, "edges": {"stop": 5.0, "colour": "red"}}
    )
    assert parsed.model == Params(scale=2, edges=Edges(stop=5.0))
    assert set(parsed.ignored) == {"future", "edges.colour"}
    assert "future" in parsed.warning() and "edges.colour" in parsed.warning()


def test_real_problems_still_refuse_and_name_only_themselves() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        validate_leniently(Params, {"scale": "many", "future": 1})
    assert [e["loc"] for e in info.value.errors()] == [("scale",)]


def test_strict_validation_stays_strict_for_livedatas_own_clients() -> None:
    with pytest.raises(pydantic.ValidationError):
        VIEW.validate_params({"future": 1})


def test_a_config_with_unknown_fields_is_acked_and_the_job_warns() -> None:
    counters = Counters()
    detector = managers(counters)[0]
    cfg = config(VIEW.workflow_id, params={"future": 1})
    [ack] = detector.handle_command(cfg)
    assert ack.response is Response.ACK
    [status] = detector.job_statuses()
    assert status.warning == "ignored unknown params: future"
    assert status.state.value == "scheduled"  # the warning does not degrade it
    assert counters.get("params_fields_ignored") == 1


def test_params_for_a_workflow_without_params_are_ignored_too() -> None:
    reduction = managers(Counters())[2]
    [ack] = reduction.handle_command(config(BARE.workflow_id, params={"x": 1}))
    assert ack.response is Response.ACK
    assert reduction.job_statuses()[0].warning == "ignored unknown params: x"


def test_what_a_workflow_substitutes_is_in_the_jobs_warning_never_silent() -> None:
    counters = Counters()
    reduction = managers(counters)[2]
    [ack] = reduction.handle_command(config(SUBSTITUTE.workflow_id))
    assert ack.response is Response.ACK
    [status] = reduction.job_statuses()
    assert status.warning == "no vanadium run: a flat one is used"
    assert status.state.value == "scheduled"  # a note, not a degraded job
    assert counters.get("params_fields_ignored") == 0  # no params were ignored
    cfg = config(SUBSTITUTE.workflow_id, params={"future": 1})
    reduction.handle_command(cfg)
    warning = reduction.job_statuses()[-1].warning
    assert (
        warning == "ignored unknown params: future; no vanadium run: a flat one is used"
    )
    assert counters.get("params_fields_ignored") == 1


def test_the_dashboards_roi_roles_are_accepted_for_views_only() -> None:
    detector, _, reduction = managers(Counters())
    roles = {"roi_rectangle": "roi_rectangle", "roi_polygon": "roi_polygon"}
    [ack] = detector.handle_command(config(VIEW.workflow_id, aux_source_names=roles))
    assert ack.response is Response.ACK
    [err] = reduction.handle_command(config(BARE.workflow_id, aux_source_names=roles))
    assert err.response is Response.ERR
    assert "unknown aux role(s) roi_polygon, roi_rectangle" in err.message


@pytest.mark.parametrize(
    "command",
    [
        config(WorkflowId(instrument="dummy", name="nowhere", version=1)),
        JobCommand(
            workflow_id=WorkflowId(instrument="dummy", name="nowhere", version=1),
            action=JobAction.STOP,
        ),
        UnreadableCommand(
            message_id="m",
            workflow_id=WorkflowId(instrument="dummy", name="nowhere", version=1),
            source_name="panel_0",
            reason="invalid command: params: bad",
        ),
    ],
    ids=["config", "job-command", "unreadable"],
)
def test_an_unknown_id_gets_one_err_from_the_designated_service(command) -> None:
    answers = [a for m in managers(Counters()) for a in m.handle_command(command)]
    assert [a.response for a in answers] == [Response.ERR]
    assert "dummy/nowhere/1" in answers[0].message


def test_ids_of_other_instruments_and_known_ids_are_not_refused_as_unknown() -> None:
    other = config(WorkflowId(instrument="dream", name="nowhere", version=1))
    assert [a for m in managers(Counters()) for a in m.handle_command(other)] == []
    stop_all_of_known = JobCommand(workflow_id=VIEW.workflow_id, action=JobAction.STOP)
    assert [
        a for m in managers(Counters()) for a in m.handle_command(stop_all_of_known)
    ] == []  # no job of it runs: nothing to answer, as before


def test_the_designated_service_is_data_reduction_or_the_first() -> None:
    from livedata.instruments import get_instrument

    assert get_instrument("dummy").unknown_workflow_service == "data_reduction"
    assert get_instrument("tbl").unknown_workflow_service == "detector_data"
