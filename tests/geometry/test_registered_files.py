"""Every instrument's registered geometry file is what its layout makes (byte for
byte), and the files made from the real layouts load with scippnexus, essreduce
and our reader. Files are made once per session (they hold up to 3.2M pixels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scippnexus as snx

from livedata.geometry.fetch import file_md5
from livedata.geometry.nexus_reader import read_bank, read_layout
from livedata.geometry.nexus_writer import write_nexus_geometry
from livedata.geometry.registry import load_registry, registered_instruments
from livedata.instruments.loader import layout_instruments, load_layout
from livedata.instruments.pixel_layout import InstrumentLayout

INSTRUMENTS = ["dummy", "dream", "loki", "bifrost", "tbl"]


def test_every_instrument_with_a_layout_has_a_registered_file():
    assert set(layout_instruments()) == set(INSTRUMENTS)
    assert set(registered_instruments()) == set(INSTRUMENTS)


@pytest.fixture(scope="session")
def made_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("made")
    return {
        name: write_nexus_geometry(
            load_layout(name), folder / load_registry(name).file_for(None).filename
        )
        for name in INSTRUMENTS
    }


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_registered_file_is_what_the_layout_makes(name, made_files):
    # If this fails, the layout (or h5py's file format) changed: run
    # `livedata geometry make -i NAME` and register the printed md5.
    assert file_md5(made_files[name]) == load_registry(name).file_for(None).md5


def _logical(bank, layout: InstrumentLayout):
    """The layout's bank as the file holds it (flat if written flat)."""
    expected = layout.bank(bank.name)
    if expected.flat_in_file:
        return expected.detector_number.ravel(), expected.positions.reshape(-1, 3)
    return expected.detector_number, expected.positions


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_scippnexus_reads_every_bank_of_the_real_layout(name, made_files):
    layout = load_layout(name)
    with snx.File(made_files[name]) as f:
        instrument = f["entry/instrument"]
        for bank in layout.banks:
            loaded = snx.compute_positions(instrument[bank.name][()])["events"]
            numbers, positions = _logical(bank, layout)
            np.testing.assert_array_equal(
                loaded.coords["detector_number"].values, numbers
            )
            np.testing.assert_allclose(
                loaded.coords["position"].values, positions, atol=1e-9
            )


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_our_reader_round_trips_the_real_layout(name, made_files):
    layout = load_layout(name)
    back = read_layout(made_files[name])
    assert sorted(b.name for b in back.banks) == sorted(b.name for b in layout.banks)
    assert back.monitors == layout.monitors
    assert back.source_position == layout.source_position
    for bank in layout.banks:
        numbers, positions = _logical(bank, layout)
        read = back.bank(bank.name)
        np.testing.assert_array_equal(read.detector_number, numbers)
        np.testing.assert_allclose(read.positions, positions, atol=1e-9)
        assert read.flat_in_file == bank.flat_in_file


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_essreduce_generic_workflow_loads_each_bank(name, made_files):
    """As a reduction would: ``GenericNeXusWorkflow`` gives each bank's
    ``EmptyDetector`` with the layout's numbers and positions."""
    from ess.reduce.nexus import GenericNeXusWorkflow
    from ess.reduce.nexus.types import (
        EmptyDetector,
        Filename,
        NeXusDetectorName,
        Position,
        SampleRun,
    )

    layout = load_layout(name)
    wf = GenericNeXusWorkflow(run_types=[SampleRun], monitor_types=[])
    wf[Filename[SampleRun]] = str(made_files[name])
    for bank in layout.banks:
        wf[NeXusDetectorName] = bank.name
        detector = wf.compute(EmptyDetector[SampleRun])
        numbers, positions = _logical(bank, layout)
        np.testing.assert_array_equal(
            detector.coords["detector_number"].values, numbers
        )
        np.testing.assert_allclose(
            detector.coords["position"].values, positions, atol=1e-9
        )
    source = wf.compute(Position[snx.NXsource, SampleRun])
    np.testing.assert_allclose(source.value, layout.source_position)


def test_essreduce_folds_loki_banks_with_esssans_bank_sizes(made_files):
    """LOKI's banks are flat in the file, as at LOKI: esssans's DetectorBankSizes
    fold them to (layer, tube, straw, pixel)."""
    from ess.loki.workflow import DETECTOR_BANK_SIZES
    from ess.reduce.nexus import GenericNeXusWorkflow
    from ess.reduce.nexus.types import (
        DetectorBankSizes,
        EmptyDetector,
        Filename,
        NeXusDetectorName,
        SampleRun,
    )

    layout = load_layout("loki")
    wf = GenericNeXusWorkflow(run_types=[SampleRun], monitor_types=[])
    wf[Filename[SampleRun]] = str(made_files["loki"])
    wf[DetectorBankSizes] = DETECTOR_BANK_SIZES
    for bank in layout.banks:
        wf[NeXusDetectorName] = bank.name
        detector = wf.compute(EmptyDetector[SampleRun])
        assert detector.dims == bank.dims
        assert detector.shape == bank.shape
        np.testing.assert_array_equal(
            detector.coords["detector_number"].values, bank.detector_number
        )


def test_read_bank_of_a_real_file(made_files):
    bank = read_bank(made_files["dream"], "mantle_detector")
    assert bank.dims == ("wire", "module", "segment", "strip", "counter")
    assert bank.position.shape == (32, 5, 6, 256, 2)
