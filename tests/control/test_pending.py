import threading
import time

import pytest

from livedata.control.pending import PendingCommands, summarise
from livedata.control.snapshots import CommandOutcome
from livedata.core.commands import (
    CommandAcknowledgement,
    JobAction,
    JobCommand,
    Response,
    WorkflowConfig,
)
from livedata.core.identifiers import JobId, WorkflowId
from tests.control.plane_helpers import FakeClock


def ack(message_id, device, response="ACK", message=None):
    return CommandAcknowledgement(
        message_id=message_id,
        device=device,
        response=Response(response),
        message=message,
    )


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def pending(clock):
    return PendingCommands(clock=clock, timeout_s=30)


def test_all_expected_acks_resolve_ack(pending):
    pending.register("m", "start", expected_devices=["a", "b"])
    pending.answer(ack("m", "a"))
    assert pending.row("m").outcome is CommandOutcome.PENDING
    pending.answer(ack("m", "b"))
    assert pending.row("m").outcome is CommandOutcome.ACK


def test_all_err_resolves_err_and_keeps_reasons(pending):
    pending.register("m", "start", expected_devices=["a"])
    pending.answer(ack("m", "a", "ERR", "bad params"))
    row = pending.row("m")
    assert row.outcome is CommandOutcome.ERR
    assert row.errors == ("a: bad params",)


def test_mixed_answers_resolve_partial(pending):
    pending.register("m", "start", expected_devices=["a", "b"])
    pending.answer(ack("m", "a"))
    pending.answer(ack("m", "b", "ERR", "no"))
    assert pending.row("m").outcome is CommandOutcome.PARTIAL


def test_missing_answer_is_partial_at_timeout(pending, clock):
    pending.register("m", "start", expected_devices=["a", "b"])
    pending.answer(ack("m", "a"))
    clock.advance(29.9)
    assert not pending.expire()
    clock.advance(0.2)
    assert pending.expire()
    assert pending.row("m").outcome is CommandOutcome.PARTIAL


def test_no_answer_is_timeout(pending, clock):
    pending.register("m", "start", expected_devices=["a"])
    clock.advance(31)
    pending.expire()
    assert pending.row("m").outcome is CommandOutcome.TIMEOUT


def test_unknown_count_collects_answers_until_the_timeout(pending, clock):
    pending.register("m", "stop all", expected_devices=None)
    pending.answer(ack("m", "x/1"))
    pending.answer(ack("m", "y/2"))
    assert pending.row("m").outcome is CommandOutcome.PENDING
    clock.advance(31)
    pending.expire()
    row = pending.row("m")
    assert row.outcome is CommandOutcome.ACK
    assert len(row.answers) == 2


def test_wait_blocks_until_another_thread_answers(pending):
    pending.register("m", "start", expected_devices=["a"])
    timer = threading.Timer(0.05, lambda: pending.answer(ack("m", "a")))
    timer.start()
    started = time.monotonic()
    row = pending.wait("m", 5)
    assert row.outcome is CommandOutcome.ACK
    assert time.monotonic() - started < 2


def test_wait_resolves_what_it_has_at_its_own_timeout(pending):
    pending.register("m", "start", expected_devices=["a"])
    assert pending.wait("m", 0.05).outcome is CommandOutcome.TIMEOUT
    with pytest.raises(KeyError):
        pending.wait("other", 0.01)


def test_a_command_not_sent_is_not_an_err(pending):
    """No service saw it: a script must not read that as a rejection (exit 4)."""
    pending.register("m", "start", expected_devices=["a"])
    row = pending.fail("m", "not sent: broker down")
    assert row.outcome is CommandOutcome.NOT_SENT
    assert row.errors == ("client: not sent: broker down",)


def test_a_part_not_sent_is_an_err_for_its_devices_only(pending):
    pending.register("m", "start", expected_devices=["a", "b"])
    row = pending.fail("m", "not sent: broker down", ["b"])
    assert row.outcome is CommandOutcome.PENDING  # a was sent: wait for it
    pending.answer(ack("m", "a"))
    row = pending.row("m")
    assert row.outcome is CommandOutcome.PARTIAL
    assert row.errors == ("b: not sent: broker down",)


def test_commands_of_others_are_tracked_from_the_commands_topic(pending):
    wid = WorkflowId.parse_str("dummy/monitor_histogram/2")
    one = WorkflowConfig(identifier=wid, job_id=JobId(source_name="monitor1"))
    two = one.model_copy(update={"job_id": JobId(source_name="monitor2")})
    assert pending.observe_command(one)
    assert pending.observe_command(two)
    row = pending.row(one.message_id)
    assert row.sent_at_s is None and row.expected == 2
    assert row.summary == "start dummy/monitor_histogram/2 on monitor1, monitor2"
    pending.answer(ack(one.message_id, "monitor1"))
    pending.answer(ack(one.message_id, "monitor2"))
    assert pending.row(one.message_id).outcome is CommandOutcome.ACK


def test_own_commands_seen_on_the_topic_change_nothing(pending):
    cmd = JobCommand(job_id=JobId(source_name="a"), action=JobAction.STOP)
    pending.register(cmd.message_id, summarise(cmd), expected_devices=[str(cmd.job_id)])
    assert not pending.observe_command(cmd)
    assert pending.row(cmd.message_id).expected == 1


def test_history_is_bounded_but_keeps_pending(clock):
    pending = PendingCommands(clock=clock, history=3)
    pending.register("open", "x", expected_devices=["a"])
    for i in range(5):
        pending.register(f"m{i}", "x", expected_devices=["a"])
        pending.answer(ack(f"m{i}", "a"))
    ids = [r.message_id for r in pending.rows()]
    assert "open" in ids and len(ids) <= 4


def test_summaries_name_the_target():
    wid = WorkflowId.parse_str("dummy/total_counts/2")
    assert summarise(JobCommand(action=JobAction.STOP)) == "stop all jobs"
    assert (
        summarise(JobCommand(workflow_id=wid, action=JobAction.RESET))
        == "reset all jobs of dummy/total_counts/2"
    )


# -- tracking that is right when this client started late ---------------------


def _ack(message_id: str, device: str) -> CommandAcknowledgement:
    return ack(message_id, device)


def _config() -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId.parse_str("dummy/panel_0_xy/1"),
        job_id=JobId(source_name="panel_0"),
    )


def test_answers_read_from_before_the_start_resolve_a_command_seen_after() -> None:
    """The demo's commands were answered just before the console's consumer
    was placed: their answers are read back, so they are ACK, not timeout."""
    pending = PendingCommands(timeout_s=30)
    config = _config()
    pending.remember_early(_ack(config.message_id, "panel_0"), at_ns=2_000_000_000)
    pending.observe_command(config, sent_ns=1_990_000_000)
    row = pending.row(config.message_id)
    assert row.outcome is CommandOutcome.ACK
    assert (row.progress, row.by_us) == ("1/1", False)
    assert row.latency_s == pytest.approx(0.01)


def test_an_answer_to_an_unseen_command_has_unknown_expected_answers() -> None:
    pending = PendingCommands(timeout_s=30)
    pending.answer(_ack("m1", "panel_0"), at_ns=5)
    (row,) = pending.rows()
    assert row.expected is None and row.progress == "1/?"
    assert row.summary == "(sent by another client)" and not row.by_us


def test_a_command_seen_late_gets_no_longer_than_its_timeout() -> None:
    clock = FakeClock()
    pending = PendingCommands(clock=clock, timeout_s=10)
    config = _config()
    pending.observe_command(config, sent_ns=time.time_ns() - 3_000_000_000)
    clock.advance(7.5)
    assert pending.expire()
    assert pending.row(config.message_id).outcome is CommandOutcome.TIMEOUT


def test_own_commands_take_their_latency_from_the_wire() -> None:
    pending = PendingCommands(timeout_s=30)
    config = _config()
    pending.register(config.message_id, "start", expected_devices=["panel_0"])
    pending.observe_command(config, sent_ns=10_000_000)  # our record, seen
    pending.answer(_ack(config.message_id, "panel_0"), at_ns=35_000_000)
    row = pending.row(config.message_id)
    assert row.outcome is CommandOutcome.ACK and row.by_us
    assert row.latency_s == pytest.approx(0.025)
