"""What the console needs of the real control plane: the lag the services report,
snapshots a UI thread reads without waiting, ages that move, the last config."""

from __future__ import annotations

import threading
import time

from livedata.control.data_service import DataService
from livedata.core.status import ServiceState

from .scene import JOB, MONITORS, PANEL_XY, System, previous_session_config, scalar


def lag_of(system) -> dict[tuple[str, int], tuple]:
    return {
        (r.topic, r.partition): (r.offset_lag, r.time_lag_s, r.trend)
        for r in system.plane.snapshot().lag
    }


def test_lag_reported_in_heartbeats_fills_the_snapshot_with_a_trend(system):
    partition = ("dummy_detector", 0)
    for lag in (9, 4, 2):
        system.feed.service(
            "detector_data", lag={partition: lag}, time_lag={partition: 0.5}
        )
        system.advance(2.0)
    assert lag_of(system) == {partition: (2, 0.5, (9.0, 4.0, 2.0))}
    (row,) = system.plane.snapshot().lag
    assert row.group == "dummy:detector_data:0"
    # reading snapshots adds no points: one per heartbeat
    system.plane.snapshot()
    assert lag_of(system)[partition][2] == (9.0, 4.0, 2.0)
    system.feed.service("detector_data", state=ServiceState.STOPPED)
    system.deliver()
    assert lag_of(system) == {}  # a service that said goodbye reports nothing


class BlockingSink:
    """A data service whose ``add`` waits until released, like a long scipp
    summary; everything else is the real DataService."""

    def __init__(self) -> None:
        self.inner = DataService()
        self.entered = threading.Event()
        self.release = threading.Event()

    def add(self, message) -> None:
        self.entered.set()
        assert self.release.wait(10)
        self.inner.add(message)

    def result_rows(self):
        return self.inner.result_rows()


def test_reads_never_wait_while_the_pump_is_busy_with_results(tmp_path):
    sink = BlockingSink()
    system = System(tmp_path, data_service=sink, poll_timeout_s=0.02)
    plane = system.plane.start()
    try:
        system.feed.result(PANEL_XY, JOB, "counts_total", scalar(1.0))
        system.feed.service("monitor_data")
        assert sink.entered.wait(5)
        begin = time.perf_counter()
        for _ in range(20):
            version = plane.version
            snap = plane.snapshot()
        waited = time.perf_counter() - begin
        assert waited < 0.05  # 40 reads while the pump is stuck in add()
        assert snap.version == version
        assert snap.results == ()
        sink.release.set()
        deadline = time.monotonic() + 5
        while not plane.snapshot().results and time.monotonic() < deadline:
            time.sleep(0.01)
        snap = plane.snapshot()
        assert [r.output_name for r in snap.results] == ["counts_total"]
        assert [s.service_name for s in snap.services] == ["monitor_data"]
        assert snap.version > version
    finally:
        sink.release.set()
        system.close()


def test_with_the_pump_running_ages_move_without_messages(tmp_path):
    system = System(tmp_path, poll_timeout_s=0.02)
    plane = system.plane.start()
    try:
        system.feed.service("monitor_data")
        deadline = time.monotonic() + 5
        while not plane.snapshot().services and time.monotonic() < deadline:
            time.sleep(0.01)
        version = plane.version
        assert plane.snapshot().services[0].age_s == 0.0
        system.clock.advance(1.0)
        while plane.snapshot().services[0].age_s == 0.0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert plane.snapshot().services[0].age_s == 1.0
        assert plane.version == version  # a new age is not a change
    finally:
        system.close()


def test_last_config_is_the_restored_one_then_the_last_started(system):
    assert system.plane.last_config(MONITORS) is None
    assert system.plane.last_config("dummy/nope/1") is None
    system.feed.command(previous_session_config())
    assert system.plane.restore_configs(1.0) == 1
    restored = system.plane.last_config(MONITORS)
    assert restored.source_names == ("monitor2",)
    assert restored.params["toa_edges"]["num_bins"] == 42
    system.plane.start_job(MONITORS, ["monitor1"], {"toa_edges.num_bins": 7})
    started = system.plane.last_config(MONITORS)
    assert started.source_names == ("monitor1",)
    assert started.params == {"toa_edges": {"num_bins": 7}}
