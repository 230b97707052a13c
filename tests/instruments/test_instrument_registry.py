"""Instruments are found by folder and imported in two phases (A5, A6)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from livedata.instruments.instrument import DetectorConfig, Instrument
from livedata.instruments.registry import (
    UnknownInstrument,
    available_instruments,
    get_instrument,
)

_SPECS = """
from livedata.instruments.instrument import Instrument
from livedata.core.workflow_spec import WorkflowRegistry
from livedata.kafka.stream_mapping import StreamMapping

instrument = Instrument(
    name="{name}",
    title="{name} test instrument",
    workflows=WorkflowRegistry(),
    dev_streams=StreamMapping("{name}"),
    prod_streams=StreamMapping("{name}"),
    package="{package}",
)
"""
_FACTORIES = """
import {package}
{package}.FACTORY_IMPORTS.append("{name}")
"""


@pytest.fixture
def instruments_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A package of instruments: alpha and zeta complete, others deficient."""
    package = f"fake_instruments_{tmp_path.name.replace('-', '_')}"
    root = tmp_path / package
    root.mkdir()
    (root / "__init__.py").write_text("FACTORY_IMPORTS = []\n")
    for name in ("alpha", "zeta"):
        (root / name).mkdir()
        (root / name / "__init__.py").write_text("")
        (root / name / "specs.py").write_text(_SPECS.format(name=name, package=package))
        (root / name / "factories.py").write_text(
            _FACTORIES.format(name=name, package=package)
        )
    (root / "no_specs").mkdir()  # a package without specs.py is not an instrument
    (root / "no_specs" / "__init__.py").write_text("")
    (root / "empty_specs").mkdir()  # specs.py defining no `instrument`
    (root / "empty_specs" / "__init__.py").write_text("")
    (root / "empty_specs" / "specs.py").write_text("x = 1\n")
    (root / "helpers.py").write_text("")  # a module, not a package
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for module in [m for m in sys.modules if m.split(".")[0] == package]:
        del sys.modules[module]


def test_available_instruments_are_packages_with_specs(
    instruments_package: str,
) -> None:
    names = available_instruments(instruments_package)
    assert names == ["alpha", "empty_specs", "zeta"]
    # Listing imports no specs (and so no factories).
    assert f"{instruments_package}.alpha.specs" not in sys.modules
    assert sys.modules[instruments_package].FACTORY_IMPORTS == []


def test_get_instrument_is_phase_one_only(instruments_package: str) -> None:
    alpha = get_instrument("alpha", instruments_package)
    assert isinstance(alpha, Instrument)
    assert alpha.name == "alpha"
    assert f"{instruments_package}.alpha.factories" not in sys.modules
    alpha.load_factories()
    alpha.load_factories()  # idempotent
    assert sys.modules[instruments_package].FACTORY_IMPORTS == ["alpha"]
    assert f"{instruments_package}.zeta.factories" not in sys.modules


def test_unknown_instrument_lists_the_choices(instruments_package: str) -> None:
    with pytest.raises(UnknownInstrument, match=r"'omega'.*alpha, empty_specs, zeta"):
        get_instrument("omega", instruments_package)
    with pytest.raises(UnknownInstrument, match="no_specs"):
        get_instrument("no_specs", instruments_package)


def test_specs_without_an_instrument_is_unknown(instruments_package: str) -> None:
    with pytest.raises(UnknownInstrument, match="defines no `instrument`"):
        get_instrument("empty_specs", instruments_package)


def test_unknown_instrument_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="dummy"):
        get_instrument("no_such_instrument")


def test_dummy_is_found_and_described() -> None:
    assert "dummy" in available_instruments()
    dummy = get_instrument("dummy")
    assert dummy.name == "dummy"
    assert (
        dummy.stream_mapping(dev=True).monitors
        != dummy.stream_mapping(dev=False).monitors
    )
    assert dummy.services() >= {"monitor_data", "detector_data", "timeseries"}
    assert dummy.factories_module == "livedata.instruments.dummy.factories"


def test_dummy_phases_in_a_fresh_interpreter() -> None:
    """Clients list and describe instruments without the heavy factories (A6)."""
    script = textwrap.dedent(
        """
        import sys
        from livedata.instruments.registry import available_instruments, get_instrument
        FACTORIES = "livedata.instruments.dummy.factories"
        assert "dummy" in available_instruments()
        assert "livedata.instruments.dummy.specs" not in sys.modules
        dummy = get_instrument("dummy")
        heavy = [m for m in sys.modules
                 if m == FACTORIES or m.split(".")[0] in ("scipp", "sciline", "ess")]
        assert not heavy, heavy
        dummy.load_factories()
        assert FACTORIES in sys.modules
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_detector_config_folds_consecutive_numbers() -> None:
    panel = DetectorConfig("p", first_detector_number=5, shape=(2, 3), dims=("y", "x"))
    assert panel.n_pixels == 6
    numbers = panel.detector_numbers()
    assert numbers.shape == (2, 3)
    assert numbers.dtype == np.int32
    np.testing.assert_array_equal(numbers.ravel(), np.arange(5, 11))
