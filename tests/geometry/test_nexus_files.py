"""Files from nexus_writer load with scippnexus, essreduce and our reader."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipp as sc
import scippnexus as snx

from livedata.geometry.nexus_reader import read_bank, read_layout
from livedata.geometry.nexus_writer import write_nexus_geometry
from livedata.instruments.pixel_layout import BankLayout, InstrumentLayout


@pytest.fixture
def nexus_file(layout: InstrumentLayout, tmp_path: Path) -> Path:
    return write_nexus_geometry(layout, tmp_path / "geometry-tiny-2025-01-01.nxs")


def test_nx_classes(nexus_file: Path) -> None:
    with h5py.File(nexus_file) as f:
        classes = {
            name: f[name].attrs["NX_class"]
            for name in (
                "entry",
                "entry/instrument",
                "entry/instrument/source",
                "entry/instrument/monitor_1",
                "entry/instrument/panel",
                "entry/instrument/panel/transformations",
                "entry/instrument/panel/events",
                "entry/sample",
            )
        }
        offset = f["entry/instrument/tubes/x_pixel_offset"]
        assert offset.attrs["units"] == "m"
        assert offset.shape == (2, 3, 5)
    assert classes == {
        "entry": "NXentry",
        "entry/instrument": "NXinstrument",
        "entry/instrument/source": "NXsource",
        "entry/instrument/monitor_1": "NXmonitor",
        "entry/instrument/panel": "NXdetector",
        "entry/instrument/panel/transformations": "NXtransformations",
        "entry/instrument/panel/events": "NXevent_data",
        "entry/sample": "NXsample",
    }


@pytest.mark.parametrize("bank_name", ["panel", "tubes"])
def test_scippnexus_compute_positions_match_layout(
    layout: InstrumentLayout, nexus_file: Path, bank_name: str
) -> None:
    bank = layout.bank(bank_name)
    with snx.File(nexus_file) as f:
        loaded = snx.compute_positions(f["entry/instrument"][bank_name][()])
    detector = loaded["events"]
    assert detector.dims == bank.dims
    np.testing.assert_array_equal(
        detector.coords["detector_number"].values, bank.detector_number
    )
    assert detector.coords["position"].unit == "m"
    np.testing.assert_allclose(
        detector.coords["position"].values, bank.positions, rtol=0, atol=1e-12
    )


def test_scippnexus_places_source_sample_and_monitors(nexus_file: Path) -> None:
    with snx.File(nexus_file) as f:
        positions = {
            name: snx.compute_positions(f[path][()])["position"].value
            for name, path in {
                "source": "entry/instrument/source",
                "sample": "entry/sample",
                "monitor_2": "entry/instrument/monitor_2",
            }.items()
        }
    np.testing.assert_allclose(positions["source"], [0, 0, -30])
    np.testing.assert_allclose(positions["sample"], [0, 0, 0])
    np.testing.assert_allclose(positions["monitor_2"], [0, 0, 6])


def test_essreduce_generic_workflow_reads_the_file(
    layout: InstrumentLayout, nexus_file: Path
) -> None:
    from ess.reduce.nexus import GenericNeXusWorkflow
    from ess.reduce.nexus.types import (
        EmptyDetector,
        EmptyMonitor,
        Filename,
        IncidentMonitor,
        NeXusDetectorName,
        NeXusName,
        Position,
        SampleRun,
    )

    wf = GenericNeXusWorkflow(run_types=[SampleRun], monitor_types=[IncidentMonitor])
    wf[Filename[SampleRun]] = str(nexus_file)
    wf[NeXusDetectorName] = "tubes"
    wf[NeXusName[IncidentMonitor]] = "monitor_1"
    result = wf.compute(
        (
            EmptyDetector[SampleRun],
            EmptyMonitor[SampleRun, IncidentMonitor],
            Position[snx.NXsource, SampleRun],
            Position[snx.NXsample, SampleRun],
        )
    )
    detector = result[EmptyDetector[SampleRun]]
    bank = layout.bank("tubes")
    assert detector.dims == bank.dims
    np.testing.assert_array_equal(
        detector.coords["detector_number"].values, bank.detector_number
    )
    np.testing.assert_allclose(
        detector.coords["position"].values, bank.positions, atol=1e-12
    )
    monitor = result[EmptyMonitor[SampleRun, IncidentMonitor]]
    assert sc.identical(
        monitor.coords["position"], sc.vector([0.0, 0.0, -5.0], unit="m")
    )
    np.testing.assert_allclose(
        result[Position[snx.NXsource, SampleRun]].value, [0, 0, -30]
    )
    np.testing.assert_allclose(result[Position[snx.NXsample, SampleRun]].value, 0)


def test_rolling_detector_view_from_nexus(nexus_file: Path) -> None:
    from ess.reduce.live.raw import RollingDetectorView

    view = RollingDetectorView.from_nexus(
        str(nexus_file),
        detector_name="panel",
        window=2,
        projection="xy_plane",
        resolution={"y": 4, "x": 4},
    )
    # Every pixel lands somewhere on the 4x4 screen.
    assert view.transform_weights().sum().value == pytest.approx(16)


def test_reader_round_trip(layout: InstrumentLayout, nexus_file: Path) -> None:
    back = read_layout(nexus_file)
    assert back.instrument == "tiny"
    assert [b.name for b in back.banks] == ["panel", "tubes"]
    for bank in layout.banks:
        read = back.bank(bank.name)
        assert read.dims == bank.dims
        np.testing.assert_array_equal(read.detector_number, bank.detector_number)
        np.testing.assert_allclose(read.positions, bank.positions, atol=1e-12)
    assert back.monitors == layout.monitors
    assert back.source_position == layout.source_position
    assert back.sample_position == layout.sample_position


def test_read_bank_gives_scipp_variables(
    layout: InstrumentLayout, nexus_file: Path
) -> None:
    bank = read_bank(nexus_file, "panel")
    assert bank.dims == ("y", "x")
    assert bank.position.dtype == sc.DType.vector3
    assert bank.position.dims == bank.detector_number.dims
    np.testing.assert_allclose(
        bank.position.values, layout.bank("panel").positions, atol=1e-12
    )
    with pytest.raises(KeyError, match=r"no detector 'nope' \(has panel, tubes\)"):
        read_bank(nexus_file, "nope")


def test_output_is_reproducible_bytes(layout: InstrumentLayout, tmp_path: Path) -> None:
    first = write_nexus_geometry(layout, tmp_path / "a.nxs").read_bytes()
    time.sleep(1.1)  # creation times, if written, would differ now
    second = write_nexus_geometry(layout, tmp_path / "b.nxs").read_bytes()
    assert hashlib.md5(first).digest() == hashlib.md5(second).digest()


def test_writing_1e5_pixels_is_fast(tmp_path: Path) -> None:
    shape = (250, 400)
    yy, xx = np.meshgrid(
        np.linspace(-1, 1, 250), np.linspace(-1, 1, 400), indexing="ij"
    )
    bank = BankLayout(
        name="big",
        dims=("y", "x"),
        detector_number=np.arange(1, 100_001, dtype=np.int32).reshape(shape),
        positions=np.stack([xx, yy, np.full_like(xx, 5.0)], axis=-1),
    )
    start = time.perf_counter()
    path = write_nexus_geometry(InstrumentLayout("big", (bank,)), tmp_path / "big.nxs")
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5
    assert read_bank(path, "big").position.shape == shape
