"""DREAM specs are light, complete and consistent with streams and layout."""

import json
import subprocess
import sys

import pydantic
import pytest

from livedata.instruments import available_instruments, get_instrument
from livedata.instruments.dream import banks, streams
from livedata.instruments.dream.powder_spec import PowderParams
from livedata.kafka.stream_mapping import InputStreamKey


def test_specs_import_without_science_packages():
    code = (
        "import json, sys\n"
        "from livedata.instruments import get_instrument\n"
        "inst = get_instrument('dream')\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ess', 'scipp', 'sciline', 'scippnexus', 'numpy', 'streaming_data_types'))\n"
        "print(json.dumps({'heavy': heavy, 'n': len(inst.workflows)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["n"] >= 8


def test_dream_is_discovered_and_every_spec_gets_a_factory():
    assert "dream" in available_instruments()
    inst = get_instrument("dream")
    inst.load_factories()
    for spec in inst.workflows.specs():
        assert inst.workflows.get_factory(spec.workflow_id) is not None, spec.name
    assert inst.services() == {
        "detector_data",
        "monitor_data",
        "timeseries",
        "data_reduction",
    }


def test_default_jobs_name_registered_workflows_and_sources():
    inst = get_instrument("dream")
    names = {spec.name: spec for spec in inst.workflows.specs()}
    for name, sources in inst.default_jobs:
        assert set(sources) <= set(names[name].source_names)


def test_powder_spec_is_in_data_reduction_with_monitor_aux():
    inst = get_instrument("dream")
    spec = next(s for s in inst.workflows.specs() if s.name == "powder")
    assert str(spec.workflow_id) == "dream/powder/1"
    assert spec.namespace == "data_reduction"
    assert set(spec.source_names) == set(banks.POWDER_BANK_NAMES)
    assert spec.aux_inputs["monitor"].default == banks.MONITOR_CAVE
    assert {"i_of_dspacing", "i_of_dspacing_two_theta"} <= set(spec.outputs)
    assert "vanadium" in spec.description


def test_powder_params_have_bounds():
    params = PowderParams.model_validate({})
    assert params.dspacing_edges.stop > params.dspacing_edges.start
    with pytest.raises(pydantic.ValidationError):
        PowderParams.model_validate({"dspacing_edges": {"start": 3.0, "stop": 1.0}})
    with pytest.raises(pydantic.ValidationError):
        PowderParams.model_validate({"two_theta_edges": {"stop": 200.0}})
    with pytest.raises(pydantic.ValidationError):
        PowderParams.model_validate({"chopper_setting": "no_such_setting"})


@pytest.mark.parametrize("mapping", [streams.DEV, streams.PROD])
def test_stream_mappings_cover_banks_monitors_and_logs(mapping):
    # The facility's table, the small-angle bank included.
    assert set(mapping.detectors.values()) == set(banks.BANK_NAMES)
    assert "sans_detector" in banks.BANK_NAMES
    assert set(mapping.monitors.values()) == set(banks.MONITORS)
    inst = get_instrument("dream")
    assert set(mapping.logs.values()) <= set(streams.LOGS) == set(inst.log_attributes)


def test_prod_uses_facility_topics():
    key = InputStreamKey("dream_detector_mantle", "dream")
    assert streams.PROD.detectors[key] == banks.MANTLE.name
    assert "dream_detector" in streams.DEV.detector_topics
