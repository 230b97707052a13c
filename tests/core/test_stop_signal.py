"""StopSignal: a stop flag signal handlers can set without deadlocking (G4)."""

import signal
import subprocess
import sys
import textwrap
import threading
import time

from livedata.core.stop_signal import StopSignal, stop_on_signals


def test_wait_times_out_while_not_set():
    stop = StopSignal()
    started = time.monotonic()
    assert stop.wait(0.05) is False
    assert time.monotonic() - started >= 0.04
    assert not stop.is_set()


def test_set_wakes_every_waiting_thread():
    stop = StopSignal()
    woke: list[bool] = []
    threads = [
        threading.Thread(target=lambda: woke.append(stop.wait(5))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join(2)
    assert woke == [True, True, True]
    assert stop.wait(0) is True  # stays set


def test_setting_twice_is_harmless():
    stop = StopSignal()
    stop.set()
    stop.set()
    assert stop.is_set()


def test_signal_handlers_route_to_the_flag_and_restore():
    stop = StopSignal()
    before = signal.getsignal(signal.SIGUSR2)
    restore = stop_on_signals(stop, (signal.SIGUSR2,))
    try:
        signal.raise_signal(signal.SIGUSR2)
        assert stop.wait(1)
    finally:
        restore()
    assert signal.getsignal(signal.SIGUSR2) is before


CHILD = textwrap.dedent(
    """
    from livedata.core.service import Service

    class Idle:
        def process(self): return 0
        def shutdown(self): pass
        def finalize_and_report_stopped(self): pass
        def report_error(self, error): pass

    service = Service(Idle(), "idle", poll_interval=0.0)
    print("ready", flush=True)
    raise SystemExit(service.run())
    """
)


def test_sigterm_always_stops_a_service_busy_waiting():
    """With ``threading.Event`` as the flag this hung about one run in two: the
    handler's ``set()`` waited for the lock its own thread held in ``wait()``."""
    for _ in range(8):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        try:
            assert child.wait(10) == 0
        finally:
            child.kill()
            child.stdout.close()
