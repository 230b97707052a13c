"""Config of LOKI, BIFROST and TBL: grid templates name real outputs; geometry
registries match files made from the layouts (byte-reproducible)."""

import pytest
import yaml

from livedata.config.loader import config_root
from livedata.core.identifiers import WorkflowId
from livedata.geometry.fetch import file_md5
from livedata.geometry.nexus_writer import write_nexus_geometry
from livedata.geometry.registry import load_layout, load_registry
from livedata.instruments import get_instrument

INSTRUMENTS = ["loki", "bifrost", "tbl"]


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_grid_template_cells_name_declared_outputs_and_sources(name):
    instrument = get_instrument(name)
    # Read directly: the "grid" namespace has no defaults/grid.yaml yet.
    text = (config_root() / "instruments" / name / "grid.yaml").read_text()
    templates = yaml.safe_load(text)["templates"]
    assert templates
    for template in templates:
        for cell in template["cells"]:
            assert 0 <= cell["row"] < template["nrows"]
            assert 0 <= cell["col"] < template["ncols"]
            for layer in cell["layers"]:
                spec = instrument.workflows.spec(
                    WorkflowId.parse_str(layer["workflow_id"])
                )
                assert spec is not None, layer["workflow_id"]
                assert layer["output"] in spec.outputs
                assert set(layer["source_names"]) <= set(spec.source_names)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_registered_geometry_file_is_what_the_layout_makes(name, tmp_path):
    registered = load_registry(name).file_for("2025-06-01")
    path = write_nexus_geometry(load_layout(name), tmp_path / registered.filename)
    assert file_md5(path) == registered.md5
