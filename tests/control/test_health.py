"""Health that never says OK while a service loses data or falls behind.

The counters and stream stats are those a real service puts in its heartbeat
(``queue_dropped_*`` from the Kafka source, ``result_lag_s`` and ``busy_s``
from the processor); ages come from the client's clock.
"""

import pytest

from livedata.control.health import derive_health
from livedata.control.service_registry import ServiceRegistry
from livedata.control.snapshots import Health
from livedata.core.status import ServiceState, ServiceStatus
from tests.control.plane_helpers import FakeClock


def beat(clock, worker="w1", started_s_ago=3600.0, state="running", **fields):
    return ServiceStatus(
        instrument="dream",
        service_name="data_reduction",
        worker_id=worker,
        state=ServiceState(state),
        started_at=clock.wall_ns() - round(started_s_ago * 1e9),
        **fields,
    )


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def registry(clock):
    return ServiceRegistry(clock=clock, wall_clock=lambda: clock.wall_ns() / 1e9)


def only(registry):
    registry.refresh()
    (row,) = registry.rows()
    return row


def test_a_service_dropping_data_is_warn_with_the_reason_for_a_minute(registry, clock):
    registry.observe(beat(clock, counters={"messages_processed": 100}))
    clock.advance(2)
    registry.observe(
        beat(
            clock,
            counters={
                "messages_processed": 200,
                "queue_dropped_messages": 2626,
                "queue_dropped_events": 29_796_676,
            },
        )
    )
    row = only(registry)
    assert row.health is Health.WARN
    assert row.reason == (
        "dropped 2.6k messages (29.8M events) in the last minute: input queue full"
    )
    # no more drops, but the minute has not passed: still WARN
    for _ in range(25):
        clock.advance(2)
        registry.observe(
            beat(
                clock,
                counters={
                    "queue_dropped_messages": 2626,
                    "queue_dropped_events": 29_796_676,
                },
            )
        )
    assert only(registry).health is Health.WARN
    for _ in range(10):
        clock.advance(2)
        registry.observe(
            beat(
                clock,
                counters={
                    "queue_dropped_messages": 2626,
                    "queue_dropped_events": 29_796_676,
                },
            )
        )
    row = only(registry)
    assert (row.health, row.reason) == (Health.OK, None)


def test_drops_since_a_recent_start_count_from_the_first_beat(registry, clock):
    registry.observe(
        beat(clock, started_s_ago=10, counters={"queue_dropped_messages": 3})
    )
    assert only(registry).health is Health.WARN


def test_results_behind_the_wall_clock_and_busy_cycles_warn(registry, clock):
    registry.observe(beat(clock, stream_stats={"result_lag_s": 12.3}))
    assert only(registry).reason == "results 12.3 s behind the wall clock"
    clock.advance(2)
    registry.observe(beat(clock, stream_stats={"result_lag_s": 1.0, "busy_s": 9}))
    assert only(registry).reason == "busy 9 s in one processing cycle"
    clock.advance(2)
    registry.observe(beat(clock, stream_stats={"result_lag_s": 1.0}))
    assert only(registry).health is Health.OK


def test_skipped_stale_input_warns(registry, clock):
    registry.observe(beat(clock, started_s_ago=5))
    clock.advance(2)
    registry.observe(beat(clock, counters={"dropped_absurd_timestamp": 4}))
    assert only(registry).reason == "skipped 4 stale input messages"


def test_stale_then_dead_and_never_forgotten(registry, clock):
    registry.observe(beat(clock))
    clock.advance(6.5)
    row = only(registry)
    assert (row.health, row.reason) == (Health.STALE, "no heartbeat for over 6 s")
    clock.advance(60)
    assert only(registry).health is Health.DEAD
    clock.advance(100_000)
    assert only(registry).health is Health.DEAD


def test_a_dead_worker_replaced_by_a_new_one_says_so(registry, clock):
    registry.observe(beat(clock, worker="old"))
    clock.advance(70)
    registry.observe(beat(clock, worker="new", started_s_ago=1))
    registry.refresh()
    rows = {r.worker_id: r for r in registry.rows()}
    assert rows["old"].health is Health.DEAD
    assert rows["old"].replaced_by == "dream:data_reduction:new"
    assert rows["new"].replaced_by is None


def test_a_beat_read_from_history_is_as_old_as_it_is(registry, clock):
    sent = clock.wall_ns() / 1e9 - 30
    registry.observe(beat(clock), sent_at_s=sent)
    row = only(registry)
    assert row.health is Health.STALE
    assert row.age_s == pytest.approx(30)


def test_warnings_found_by_the_client_join_the_reason(clock):
    verdict = derive_health(
        beat(clock, stream_stats={"result_lag_s": 9.0}),
        age_s=1,
        stale_after_s=6,
        dead_after_s=60,
        extra_warnings=("cannot read from the broker",),
    )
    assert verdict.health is Health.WARN
    assert verdict.reason == (
        "cannot read from the broker; results 9.0 s behind the wall clock"
    )


@pytest.mark.parametrize(
    ("counters", "reason"),
    [
        ({"adapt_errors": 3}, "rejected 3 malformed input messages"),
        ({"dropped_time_jump": 2}, "skipped 2 stale input messages"),
        ({"delivery_errors": 4, "produce_errors": 1}, "failed to publish 5 messages"),
        (
            {"job_input_windows": 12},
            "published no result for 12 windows of its jobs' data",
        ),
    ],
)
def test_input_refused_and_results_not_published_are_warn(
    registry, clock, counters, reason
):
    registry.observe(beat(clock, counters={"messages_processed": 1}))
    clock.advance(2)
    registry.observe(beat(clock, counters={"messages_processed": 50, **counters}))
    row = only(registry)
    assert row.health is Health.WARN
    assert row.reason == reason


def test_a_service_publishing_for_its_jobs_is_ok(registry, clock):
    registry.observe(beat(clock, counters={"messages_processed": 1}))
    clock.advance(2)
    registry.observe(beat(clock, counters={"job_input_windows": 12, "job_results": 24}))
    assert only(registry).health is Health.OK
