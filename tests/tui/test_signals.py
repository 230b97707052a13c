"""The console exits cleanly on SIGHUP/SIGTERM and gives the signals back: whoever
started it (the demo) must still be able to stop gracefully afterwards."""

from __future__ import annotations

import os
import signal

import pytest

from .conftest import SIZE
from .helpers import pilot_test


@pytest.fixture
def recorder():
    """Python-level handlers for SIGHUP and SIGTERM that only record."""
    got: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda s, _f: got.append(s))
        for sig in (signal.SIGHUP, signal.SIGTERM)
    }
    yield got
    for sig, handler in previous.items():
        signal.signal(sig, handler)


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
@pilot_test
async def test_a_signal_exits_the_app_and_the_previous_handlers_come_back(
    scene, make_app, recorder, sig
):
    handlers = {s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)}
    app = make_app(handle_signals=True)
    async with app.run_test(size=SIZE) as pilot:
        assert signal.getsignal(sig) is not handlers[sig]  # the app's, meanwhile
        os.kill(os.getpid(), sig)
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert recorder == []  # the app took it, not the previous handler
    for s, handler in handlers.items():
        assert signal.getsignal(s) is handler
    os.kill(os.getpid(), sig)  # a second one reaches the previous handler again
    assert recorder == [sig]


@pilot_test
async def test_without_handle_signals_the_app_leaves_the_handlers_alone(
    scene, make_app, recorder
):
    before = signal.getsignal(signal.SIGHUP)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert signal.getsignal(signal.SIGHUP) is before
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause(0.1)
        assert recorder == [signal.SIGHUP]
        assert app.is_running
