"""The loader finds an instrument's parts in its package by convention (A5, F1)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from livedata.instruments import get_instrument
from livedata.instruments.fakes import GENERATORS, generator_for
from livedata.instruments.loader import (
    PARTS,
    fake_generators,
    import_part,
    instruments_with,
    layout_instruments,
    part_module,
)


def test_part_names_are_built_in_one_place() -> None:
    assert part_module("dream", "factories") == "livedata.instruments.dream.factories"
    assert set(PARTS) == {"specs", "streams", "factories", "layout", "fake"}
    with pytest.raises(ValueError, match="unknown instrument part 'views'"):
        part_module("dream", "views")


def test_every_instrument_has_specs_streams_factories_and_layout() -> None:
    names = instruments_with("specs")
    assert names == ["bifrost", "dream", "dummy", "loki", "tbl"]
    for part in ("streams", "factories", "layout"):
        assert instruments_with(part) == names, part
    assert layout_instruments() == names
    assert instruments_with("fake") == ["bifrost", "dream", "loki", "tbl"]


def test_stream_mappings_come_from_the_streams_module() -> None:
    for name in instruments_with("specs"):
        instrument = get_instrument(name)
        streams = import_part(name, "streams")
        assert instrument.stream_mapping(dev=True) is streams.DEV
        assert instrument.stream_mapping(dev=False) is streams.PROD
        assert streams.DEV.instrument == streams.PROD.instrument == name


def test_fake_generators_are_the_instruments_own_or_the_generic_ones() -> None:
    assert fake_generators("dummy") == {}
    dream = get_instrument("dream")
    own = fake_generators("dream")
    assert set(own) == {"detectors", "monitors"}
    assert generator_for("detectors", dream) is own["detectors"]
    assert generator_for("logs", dream) is GENERATORS["logs"]


def test_a_missing_part_is_none_but_a_broken_one_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = f"loader_probe_{tmp_path.name.replace('-', '_')}"
    (tmp_path / package / "alpha").mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "alpha" / "__init__.py").write_text("")
    (tmp_path / package / "alpha" / "fake.py").write_text("import no_such_dep\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert import_part("alpha", "layout", package) is None
        assert import_part("omega", "specs", package) is None
        with pytest.raises(ModuleNotFoundError, match="no_such_dep"):
            import_part("alpha", "fake", package)
    finally:
        for module in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[module]
