from __future__ import annotations

import pytest

from livedata_tui.app import LivedataApp

from .scene import System, dummy_specs, populate

SIZE = (120, 36)


@pytest.fixture
def system(tmp_path):
    """A real control plane on the in-memory bus; the pump runs only on demand."""
    system = System(tmp_path / "state")
    yield system
    system.close()


@pytest.fixture
def scene(system):
    """``system`` with the fixed scene of scene.populate delivered."""
    return populate(system)


@pytest.fixture
def make_app(system):
    def make(**kwargs) -> LivedataApp:
        kwargs.setdefault("workflows", dummy_specs())
        kwargs.setdefault("clock", system.clock)
        kwargs.setdefault("wall_clock_ns", system.clock.wall_ns)
        return LivedataApp(system.plane, **kwargs)

    return make
