# ruff: noqa: F811  (pytest fixtures imported from test_job_manager)
"""Repeated commands are answered, not re-run; a restart restores jobs (G5, issue 11)."""

from __future__ import annotations

from livedata.core.commands import JobAction, JobCommand, Response
from livedata.core.identifiers import JobId
from livedata.core.status import JobState
from tests.core.test_job_manager import (  # noqa: F401  (fixtures)
    PLAIN,
    VIEW,
    config,
    counters,
    manager,
    run,
    workflows,
)


def test_a_repeated_start_is_answered_again_and_the_job_keeps_its_data(
    manager, counters
):
    cfg = config(PLAIN)
    [first] = manager.handle_command(cfg)
    run(manager, 1, panel_0=5)
    [again] = manager.handle_command(cfg)  # the same record, delivered twice
    assert again == first
    assert counters.get("commands_repeated") == 1
    assert counters.get("jobs_replaced") == 0
    [result] = run(manager, 2, panel_0=1)
    assert result.outputs["total"] == 6  # not restarted from zero
    assert len(workflows) == 1


def test_one_message_id_may_start_jobs_on_several_sources(manager, counters):
    first = config(PLAIN, source="panel_0")
    second = config(PLAIN, source="panel_1").model_copy(
        update={"message_id": first.message_id}
    )
    manager.handle_command(first)
    [ack] = manager.handle_command(second)
    assert ack.device == "panel_1"
    assert manager.active_job_count == 2
    assert counters.get("commands_repeated") == 0


def test_a_repeated_stop_is_answered_again_not_reapplied(manager):
    manager.handle_command(config(PLAIN))
    stop = JobCommand(action=JobAction.PAUSE)
    answers = manager.handle_command(stop)
    assert [a.response for a in answers] == [Response.ACK]
    manager.handle_command(JobCommand(action=JobAction.RESUME))
    assert manager.handle_command(stop) == answers
    [status] = manager.job_statuses()
    assert status.state is JobState.ACTIVE or status.state is JobState.SCHEDULED


def test_restore_starts_the_running_jobs_with_their_ids_and_says_so(manager, counters):
    kept = config(PLAIN, source="panel_0")
    stopped = config(PLAIN, source="panel_1")
    paused = config(VIEW, source="panel_1", aux_source_names={"angle": "rotation"})
    replaced_old = config(
        VIEW, source="panel_0", aux_source_names={"angle": "rotation"}
    )
    replaced_new = replaced_old.model_copy(update={"message_id": "new"})
    history = [
        kept,
        stopped,
        paused,
        replaced_old,
        JobCommand(job_id=stopped.job_id, action=JobAction.STOP),
        JobCommand(job_id=paused.job_id, action=JobAction.PAUSE),
        replaced_new,
    ]
    restored = manager.restore(history)
    assert set(restored) == {kept.job_id, paused.job_id, replaced_new.job_id}
    statuses = {s.job_id: s for s in manager.job_statuses()}
    assert set(statuses) == set(restored)
    assert all(s.restored for s in statuses.values())
    assert statuses[paused.job_id].warning == "paused"
    assert counters.get("jobs_restored") == 3
    # the commands replayed are not executed again when re-delivered
    assert manager.handle_command(kept) == []
    assert counters.get("jobs_replaced") == 0


def test_restore_of_a_stop_all_leaves_nothing(manager):
    history = [config(PLAIN), JobCommand(action=JobAction.STOP)]
    assert manager.restore(history) == []
    assert manager.job_statuses() == []


def test_restore_ignores_jobs_of_other_services(manager):
    from tests.core.test_job_manager import FOREIGN

    assert manager.restore([config(FOREIGN)]) == []
    assert JobId(source_name="panel_0") not in {
        s.job_id for s in manager.job_statuses()
    }
