"""Ids and commands as docs/wire.md spells them."""

import json
import uuid

import pytest
from pydantic import ValidationError

from livedata.core.commands import (
    CommandAcknowledgement,
    JobAction,
    JobCommand,
    Response,
    WorkflowConfig,
    parse_command,
)
from livedata.core.identifiers import JobId, ResultKey, WorkflowId

NUMBER = "8b0c0a5e-4a28-4ad1-b2a9-8fd0b3b0b3a1"


def test_workflow_id_parses_both_forms_and_prints_short():
    a = WorkflowId.model_validate("dummy/monitor_histogram/1")
    b = WorkflowId.model_validate(
        {"instrument": "dummy", "name": "monitor_histogram", "version": 1}
    )
    assert a == b
    assert str(a) == "dummy/monitor_histogram/1"
    with pytest.raises(ValidationError):
        WorkflowId.model_validate("dummy/monitor_histogram")
    with pytest.raises(ValidationError):
        WorkflowId.model_validate("dummy/x/one")


def test_job_id_round_trips_through_its_string():
    job = JobId(source_name="monitor1", job_number=uuid.UUID(NUMBER))
    assert str(job) == f"monitor1/{NUMBER}"
    assert JobId.model_validate(str(job)) == job
    assert (
        JobId.model_validate({"source_name": "a/b", "job_number": NUMBER}).source_name
        == "a/b"
    )


def test_result_key_is_the_json_of_wire_md():
    key = ResultKey(
        workflow_id=WorkflowId.parse_str("dummy/panel_0_xy/1"),
        job_id=JobId(source_name="panel_0", job_number=uuid.UUID(NUMBER)),
        output_name="cumulative",
    )
    doc = json.loads(key.to_json())
    assert doc == {
        "workflow_id": {"instrument": "dummy", "name": "panel_0_xy", "version": 1},
        "job_id": {"source_name": "panel_0", "job_number": NUMBER},
        "output_name": "cumulative",
    }
    assert ResultKey.from_json(key.to_json()) == key


def test_workflow_config_from_peer_json():
    raw = json.dumps(
        {
            "kind": "workflow_config",
            "identifier": {
                "instrument": "dummy",
                "name": "monitor_histogram",
                "version": 1,
            },
            "message_id": "m1",
            "job_id": {"source_name": "monitor1", "job_number": NUMBER},
            "schedule": {"start_time": None, "end_time": 5},
            "aux_source_names": {},
            "params": {},
        }
    )
    cmd = parse_command(raw)
    assert isinstance(cmd, WorkflowConfig)
    assert cmd.schedule.end_time == 5
    assert cmd.config_key() == "dummy/monitor_histogram/1/monitor1"


def test_job_command_accepts_string_workflow_id_and_null_targets():
    cmd = parse_command(
        '{"kind": "job_command", "message_id": "m", "job_id": null,'
        ' "workflow_id": "dummy/monitor_histogram/1", "action": "stop"}'
    )
    assert isinstance(cmd, JobCommand)
    assert cmd.action is JobAction.STOP
    assert cmd.workflow_id == WorkflowId.parse_str("dummy/monitor_histogram/1")
    everything = JobCommand(action=JobAction.RESET, job_id=None, workflow_id=None)
    assert everything.config_key() == "all"


def test_bad_commands_raise_validation_errors():
    with pytest.raises(ValidationError):
        parse_command('{"kind": "job_command", "action": "explode"}')
    with pytest.raises(ValidationError):
        parse_command("not json")


def test_acknowledgement_serialises_as_on_the_wire():
    ack = CommandAcknowledgement(
        message_id="m", device="monitor1", response=Response.ERR, message="bad"
    )
    assert json.loads(ack.model_dump_json()) == {
        "message_id": "m",
        "device": "monitor1",
        "response": "ERR",
        "message": "bad",
    }


def test_a_null_message_id_is_refused_and_a_missing_one_is_made() -> None:
    """As on the facility's side: ``message_id`` is a string, never null."""
    from livedata.core.commands import NullMessageId, read_command

    stop = {"kind": "job_command", "job_id": None, "workflow_id": None}
    with pytest.raises(NullMessageId):
        read_command(json.dumps({**stop, "message_id": None, "action": "stop"}))
    with pytest.raises(NullMessageId):  # invalid otherwise too: still no answer
        read_command(json.dumps({**stop, "message_id": None, "action": "explode"}))
    made = read_command(json.dumps({**stop, "action": "stop"}))
    assert isinstance(made, JobCommand) and len(made.message_id) == 36
