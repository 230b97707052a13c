from __future__ import annotations

import pytest

from livedata_tui.app import LivedataApp

from .scene import dummy_specs, make_plane, populate

SIZE = (120, 36)


@pytest.fixture
def plane():
    return populate(make_plane())


@pytest.fixture
def make_app(plane):
    def make(**kwargs) -> LivedataApp:
        kwargs.setdefault("workflows", dummy_specs())
        kwargs.setdefault("clock", plane.clock)
        return LivedataApp(plane, **kwargs)

    return make
