import time

from livedata.control.pump import MessagePump
from livedata.core.message import Message
from livedata.core.stream import STATUS_STREAM
from livedata.core.timestamp import Timestamp


class FlakyTransport:
    """Fails every other poll; otherwise delivers one message."""

    def __init__(self) -> None:
        self.polls = 0

    def send(self, message):
        pass

    def poll(self, timeout):
        self.polls += 1
        if self.polls % 2:
            raise ConnectionError("broker went away")
        time.sleep(min(timeout, 0.005))
        return [Message(Timestamp(self.polls), STATUS_STREAM, self.polls)]

    def close(self):
        pass


def test_errors_are_counted_and_the_thread_lives_on():
    seen = []

    def dispatch(messages):
        if messages[0].value == 4:
            raise RuntimeError("a store choked")
        seen.extend(m.value for m in messages)

    pump = MessagePump(FlakyTransport(), dispatch, poll_timeout=0.001)
    pump.start()
    deadline = time.monotonic() + 5
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pump.running
    pump.stop()
    assert not pump.running
    assert seen[:3] == [2, 6, 8]
    assert pump.counters.get("pump_poll_errors") >= 3
    assert pump.counters.get("pump_dispatch_errors") == 1


def test_pump_once_dispatches_and_ticks():
    ticks = []
    got = []
    transport = FlakyTransport()
    pump = MessagePump(transport, got.extend, tick=lambda: ticks.append(1))
    assert pump.pump_once() == 0  # the failing poll
    assert pump.pump_once() == 1
    assert [m.value for m in got] == [2]
    assert ticks == [1]
