"""DREAM test fixtures: the lookup table is computed once per session."""

import pytest


@pytest.fixture(scope="session")
def dream_lookup_table():
    from livedata.instruments.dream.wavelength import lookup_table

    return lookup_table()  # functools.cache: computed once per process
