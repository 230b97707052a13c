"""The processor under faults (issue 11): the last window at a graceful stop,
and a heartbeat that says why the source cannot read."""

from __future__ import annotations

from livedata.core.batching import SimpleMessageBatcher
from livedata.core.status import ServiceState, ServiceStatus
from livedata.core.stream import StreamKind
from livedata.core.timestamp import Duration
from tests.core.test_processor import Rig, data, of, start_job


def test_the_open_window_reaches_the_final_result_at_shutdown() -> None:
    rig = Rig()
    rig.batcher = SimpleMessageBatcher(wall_clock=rig.clock)
    rig.processor._batcher = rig.batcher  # the rig's processor, with a real batcher
    rig.cycle()
    start_job(rig)
    # 300 ms of data: the window stays open, no result yet (B2)
    out = rig.cycle(data("panel_0", 3), data("panel_0", 4, offset_ms=300))
    assert of(out, StreamKind.LIVEDATA_DATA) == []
    rig.processor.shutdown()
    rig.processor.finalize_and_report_stopped()
    # the flushed window's result, then the final one (as a stop gives)
    results = of(rig.sink.take(), StreamKind.LIVEDATA_DATA)
    assert [r.value.value for r in results] == [7.0, 7.0]


class BlindSource:
    """A source that cannot read (the broker lost its topics)."""

    healthy = True
    warning = "topics missing on the broker: dummy_detector; waiting for them"

    def get_messages(self):
        return []


def test_a_running_service_that_cannot_read_says_why_in_its_heartbeat() -> None:
    rig = Rig()
    rig.processor._source = BlindSource()
    rig.processor.process()
    [beat] = [m.value for m in rig.sink.take() if isinstance(m.value, ServiceStatus)]
    assert beat.state is ServiceState.RUNNING
    assert beat.error == BlindSource.warning  # clients show WARN, not OK
    rig.clock.now = rig.clock.now + Duration.from_seconds(2)
    rig.processor._source = rig.source  # reading again
    rig.processor.process()
    [beat] = [m.value for m in rig.sink.take() if isinstance(m.value, ServiceStatus)]
    assert beat.error is None
