import pytest

from livedata.control.service_registry import ServiceRegistry
from livedata.control.snapshots import Health
from livedata.core.status import ServiceState, ServiceStatus
from tests.control.plane_helpers import FakeClock


def status(state="running", processed=0, worker="w1", error=None, **extra):
    return ServiceStatus(
        instrument="dummy",
        service_name="detector_data",
        worker_id=worker,
        state=ServiceState(state),
        started_at=123,
        messages_processed=processed,
        error=error,
        **extra,
    )


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def registry(clock):
    return ServiceRegistry(clock=clock)


def health(registry):
    registry.refresh()
    return [r.health for r in registry.rows()]


@pytest.mark.parametrize(
    ("state", "error", "expected"),
    [
        ("running", None, Health.OK),
        ("running", "slow", Health.WARN),
        ("starting", None, Health.WARN),
        ("error", "boom", Health.ERR),
        ("stopping", None, Health.STOPPING),
        ("stopped", None, Health.STOPPED),
    ],
)
def test_health_follows_the_reported_state(registry, state, error, expected):
    registry.observe(status(state, error=error))
    assert health(registry) == [expected]


def test_stale_after_three_missed_intervals(registry, clock):
    registry.observe(status())
    clock.advance(6.0)
    assert health(registry) == [Health.OK]
    clock.advance(0.1)
    assert registry.refresh()
    assert health(registry) == [Health.STALE]
    assert not registry.refresh()  # no change the second time
    registry.observe(status())
    assert health(registry) == [Health.OK]


def test_staleness_is_configurable(clock):
    registry = ServiceRegistry(clock=clock, interval_s=1.0, stale_after_intervals=2)
    registry.observe(status())
    clock.advance(2.5)
    assert health(registry) == [Health.STALE]


def test_a_stopped_service_is_never_stale_and_is_forgotten_later(registry, clock):
    registry.observe(status("stopped"))
    clock.advance(100)
    assert health(registry) == [Health.STOPPED]
    clock.advance(600)
    assert health(registry) == []


def test_message_rate_from_successive_heartbeats(registry, clock):
    registry.observe(status(processed=100))
    assert registry.rows()[0].messages_per_s is None
    clock.advance(2)
    registry.observe(status(processed=300))
    row = registry.rows()[0]
    assert row.messages_per_s == pytest.approx(100.0)
    assert row.service_id == "dummy:detector_data:w1"
    assert row.age_s == 0.0


def test_latest_worker_and_running_services(registry, clock):
    registry.observe(status(worker="a"))
    clock.advance(1)
    registry.observe(status(worker="b"))
    assert registry.latest_of("detector_data") == "dummy:detector_data:b"
    assert registry.latest_of("monitor_data") is None
    registry.observe(status("stopped", worker="a"))
    registry.refresh()
    assert registry.running() == ["dummy:detector_data:b"]


def test_consumer_lag_is_the_total_over_reported_partitions(registry):
    lags = {"dummy_detector/0": 12, "dummy_detector/1": 3, "dummy_motion/0": None}
    registry.observe(status(stream_stats={"consumer_lag": lags}))
    assert registry.rows()[0].consumer_lag == 15


@pytest.mark.parametrize(
    "stream_stats",
    [
        {},  # a service that does not report its lag
        {"consumer_lag": {}},  # no partitions assigned yet
        {"consumer_lag": {"dummy_detector/0": None}},  # every partition unknown
        {"consumer_lag": 12},  # not the documented per-partition form
    ],
)
def test_consumer_lag_is_unknown_unless_some_partition_is_known(registry, stream_stats):
    registry.observe(status(stream_stats=stream_stats))
    assert registry.rows()[0].consumer_lag is None


def test_caught_up_service_has_lag_zero_not_unknown(registry):
    registry.observe(status(stream_stats={"consumer_lag": {"dummy_detector/0": 0}}))
    assert registry.rows()[0].consumer_lag == 0
