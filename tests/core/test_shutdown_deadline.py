import threading
import time

from livedata.core.shutdown_deadline import ShutdownDeadline


def test_a_stop_that_completes_in_time_does_not_exit():
    stop = threading.Event()
    exits: list[int] = []
    deadline = ShutdownDeadline(stop, 0.2, exit_process=exits.append).start()
    stop.set()
    deadline.disarm()
    time.sleep(0.4)
    assert exits == []


def test_a_hanging_stop_exits_with_code_1_and_prints_stacks(capfd):
    stop = threading.Event()
    exited = threading.Event()
    exits: list[int] = []

    def record(code: int) -> None:
        exits.append(code)
        exited.set()

    ShutdownDeadline(stop, 0.1, exit_process=record).start()
    time.sleep(0.2)
    assert exits == []  # no stop requested yet: no deadline running
    stop.set()
    assert exited.wait(5)
    assert exits == [1]
    assert "most recent call first" in capfd.readouterr().err
