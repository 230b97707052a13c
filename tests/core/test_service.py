"""Service lifecycle: loop, graceful stop by call or signal, error exit (B1, G4)."""

import os
import signal
import threading
import time

from livedata.core.heartbeat import ServiceInfo
from livedata.core.in_memory import InMemorySink, InMemorySource
from livedata.core.job_manager import JobManager
from livedata.core.metrics import Counters
from livedata.core.processor import OrchestratingProcessor
from livedata.core.service import EXIT_ERROR, EXIT_OK, Service
from livedata.core.status import ServiceState, ServiceStatus
from livedata.core.workflow_spec import WorkflowRegistry


class NoBatcher:
    def batch(self, messages):
        return []

    def flush(self):
        return []


class NoPreprocessors:
    def make_preprocessor(self, stream):
        return None


def real_processor(sink: InMemorySink) -> OrchestratingProcessor:
    counters = Counters()
    return OrchestratingProcessor(
        source=InMemorySource(),
        sink=sink,
        preprocessor_factory=NoPreprocessors(),
        job_manager=JobManager("dummy", "monitor_data", WorkflowRegistry(), counters),
        batcher=NoBatcher(),
        service_info=ServiceInfo("dummy", "monitor_data", "w1"),
        counters=counters,
    )


def service_states(sink: InMemorySink) -> list[ServiceState]:
    return [m.value.state for m in sink.messages if isinstance(m.value, ServiceStatus)]


def later(seconds: float, action) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(seconds), action()))
    thread.start()
    return thread


def test_stop_from_another_thread_is_graceful_stopping_then_stopped():
    sink = InMemorySink()
    service = Service(real_processor(sink), "monitor_data", poll_interval=0.01)
    thread = later(0.1, service.stop)
    assert service.run() == EXIT_OK
    thread.join()
    states = service_states(sink)
    assert states[0] is ServiceState.RUNNING
    assert states[-2:] == [ServiceState.STOPPING, ServiceState.STOPPED]


def test_sigterm_requests_a_graceful_stop_and_handlers_are_restored():
    before = signal.getsignal(signal.SIGTERM)
    sink = InMemorySink()
    service = Service(real_processor(sink), "monitor_data", poll_interval=0.01)
    thread = later(0.1, lambda: os.kill(os.getpid(), signal.SIGTERM))
    assert service.run() == EXIT_OK
    thread.join()
    assert service_states(sink)[-2:] == [ServiceState.STOPPING, ServiceState.STOPPED]
    assert signal.getsignal(signal.SIGTERM) is before


class ScriptedProcessor:
    """Returns scripted message counts; records lifecycle calls."""

    def __init__(self, counts: list[int], service_holder: list[Service]) -> None:
        self.counts = counts
        self.calls: list[str] = []
        self.holder = service_holder
        self.errors: list[str] = []

    def process(self) -> int:
        self.calls.append("process")
        if not self.counts:
            self.holder[0].stop()
            return 0
        count = self.counts.pop(0)
        if count < 0:
            raise RuntimeError("kernel exploded\nwith details")
        return count

    def shutdown(self) -> None:
        self.calls.append("shutdown")

    def finalize_and_report_stopped(self) -> None:
        self.calls.append("finalize")

    def report_error(self, error: str) -> None:
        self.errors.append(error)


def test_busy_cycles_do_not_sleep():
    holder: list[Service] = []
    processor = ScriptedProcessor([1] * 50, holder)
    # with a 30 s poll interval any sleep between busy cycles would time the test out
    holder.append(Service(processor, "x", poll_interval=30))
    started = time.monotonic()
    assert holder[0].run() == EXIT_OK
    assert time.monotonic() - started < 5
    assert processor.calls[-2:] == ["shutdown", "finalize"]
    assert processor.calls.count("process") == 51


def test_processing_error_reports_error_and_exits_1():
    holder: list[Service] = []
    processor = ScriptedProcessor([1, -1], holder)
    holder.append(Service(processor, "x", poll_interval=0.01))
    assert holder[0].run() == EXIT_ERROR
    assert processor.errors == ["RuntimeError: kernel exploded"]
    assert "shutdown" not in processor.calls


def test_error_heartbeat_from_the_real_processor():
    sink = InMemorySink()
    processor = real_processor(sink)

    def explode() -> int:
        raise ValueError("broken")

    processor.process = explode
    assert Service(processor, "monitor_data").run() == EXIT_ERROR
    [status] = [m.value for m in sink.messages]
    assert status.state is ServiceState.ERROR
    assert status.error == "ValueError: broken"


class StuckSource(InMemorySource):
    """Its second read takes ``hold`` seconds: a cycle stuck in slow work."""

    def __init__(self, hold: float) -> None:
        super().__init__()
        self.hold = hold
        self.reads = 0

    def get_messages(self):
        self.reads += 1
        if self.reads == 2:
            time.sleep(self.hold)
        return super().get_messages()


def test_heartbeats_go_on_during_a_slow_cycle_and_stopping_is_said_at_once():
    from livedata.core.timestamp import Duration

    sink = InMemorySink()
    counters = Counters()
    processor = OrchestratingProcessor(
        source=StuckSource(hold=3.0),
        sink=sink,
        preprocessor_factory=NoPreprocessors(),
        job_manager=JobManager("dummy", "monitor_data", WorkflowRegistry(), counters),
        batcher=NoBatcher(),
        service_info=ServiceInfo("dummy", "monitor_data", "w1"),
        counters=counters,
        heartbeat_interval=Duration.from_seconds(0.5),
    )
    service = Service(processor, "monitor_data", poll_interval=0.01)
    codes = []
    runner = threading.Thread(target=lambda: codes.append(service.run()))
    began = time.monotonic()
    runner.start()
    time.sleep(1.6)  # inside the stuck cycle
    busy = [
        m.value.stream_stats["busy_s"]
        for m in sink.messages
        if isinstance(m.value, ServiceStatus) and "busy_s" in m.value.stream_stats
    ]
    assert busy and max(busy) >= 0.5  # beats went on, saying why
    service.stop()
    time.sleep(0.6)
    assert ServiceState.STOPPING in service_states(sink)  # before the cycle ends
    assert time.monotonic() - began < 3.0
    runner.join(10)
    assert codes == [EXIT_OK]
    assert service_states(sink)[-1] is ServiceState.STOPPED
