"""Session registry (D1): heartbeats keep sessions, silence expires them."""

from livedata.plots.sessions import SessionRegistry


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_silent_sessions_expire_after_the_timeout_and_run_their_cleanup():
    clock = Clock()
    registry = SessionRegistry(timeout_s=30.0, clock=clock)
    released = []
    registry.register("a", cleanup=lambda: released.append("a"))
    registry.register("b", cleanup=lambda: released.append("b"))
    assert registry.heartbeat("a") and registry.heartbeat("b")
    clock.t = 20.0
    assert registry.heartbeat("a")
    clock.t = 31.0
    assert registry.expire() == ["b"]
    assert released == ["b"]
    assert "a" in registry and "b" not in registry
    assert not registry.heartbeat("b")  # gone for good
    clock.t = 50.0
    assert registry.expire() == []
    clock.t = 50.1 + 1
    assert registry.expire() == ["a"]
    assert len(registry) == 0 and registry.expired_total == 2


def test_a_page_still_loading_gets_a_start_grace():
    clock = Clock()
    registry = SessionRegistry(timeout_s=3.0, clock=clock)
    registry.register("loading")
    clock.t = 30.0
    assert registry.expire() == []  # no heartbeat yet: its scripts still load
    assert registry.heartbeat("loading")
    clock.t = 34.0
    assert registry.expire() == ["loading"]  # connected once, then silent
    registry.register("never")
    clock.t = 34.0 + 61.0
    assert registry.expire() == ["never"]


def test_remove_runs_cleanup_once():
    registry = SessionRegistry()
    released = []
    registry.register("x", cleanup=lambda: released.append(1))
    assert registry.remove("x")
    assert not registry.remove("x")
    assert registry.expire() == []
    assert released == [1]
