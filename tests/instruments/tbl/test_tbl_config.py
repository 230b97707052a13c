"""Config of LOKI, BIFROST and TBL: geometry registries match files made from the
layouts (byte-reproducible). Grid templates: tests/config/test_grid_templates.py."""

import pytest

from livedata.geometry.fetch import file_md5
from livedata.geometry.nexus_writer import write_nexus_geometry
from livedata.geometry.registry import load_layout, load_registry

INSTRUMENTS = ["loki", "bifrost", "tbl"]


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_registered_geometry_file_is_what_the_layout_makes(name, tmp_path):
    registered = load_registry(name).file_for("2025-06-01")
    path = write_nexus_geometry(load_layout(name), tmp_path / registered.filename)
    assert file_md5(path) == registered.md5
