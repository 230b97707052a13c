"""The facility's ids on livedata's workflows: counts, renamed outputs, deltas."""

import uuid

import numpy as np
import pytest
import scipp as sc

from livedata.core.events import DetectorEvents, LogValue, MonitorEvents
from livedata.core.identifiers import JobId
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.timestamp import Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.instruments import get_instrument
from livedata.preprocessors.nxlog import ToNXlog
from livedata.workflows.facility.convert import UnsupportedParams
from livedata.workflows.facility.workflows import DeltaTimeseriesWorkflow

DUMMY = get_instrument("dummy")
T0, T1 = Timestamp(0), Timestamp(1)
MS = 1_000_000


def build(name: str, source: str, params: dict):
    DUMMY.load_factories()
    spec = next(s for s in DUMMY.workflows.specs() if s.name == name and s.facility)
    context = WorkflowContext(
        instrument="dummy",
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        params=spec.validate_params(params),
    )
    return spec, DUMMY.workflows.get_factory(spec.workflow_id)(context)


def feed(wf, data):
    wf.accumulate(data, start_time=T0, end_time=T1)


def test_view_counts_every_event_and_separately_those_in_the_toa_range():
    band = {"enabled": True, "start": 10.0, "stop": 20.0, "unit": "ms"}
    spec, wf = build("panel_0_xy", "panel_0", {"toa_range": band})
    toa = np.array([5, 10, 15, 19, 20, 50, 15]) * MS
    pixels = np.array([1, 2, 3, 4, 5, 6, 99_999])  # the last is no pixel
    feed(wf, {"panel_0": DetectorEvents(pixels, toa)})
    out = wf.finalize()
    assert list(out) == list(spec.outputs)
    assert out["counts_total"].value == 6
    assert out["counts_in_toa_range"].value == 3  # 10, 15, 19 ms
    assert out["cumulative"].sum().value == 3  # the image shows the range only
    feed(wf, {"panel_0": DetectorEvents(np.array([7]), np.array([12 * MS]))})
    out = wf.finalize()
    assert (out["counts_total"].value, out["counts_total_cumulative"].value) == (1, 7)
    assert out["counts_in_toa_range_cumulative"].value == 4
    wf.clear()
    feed(wf, {"panel_0": DetectorEvents(np.array([7]), np.array([50 * MS]))})
    out = wf.finalize()
    assert out["counts_total_cumulative"].value == 1
    assert out["counts_in_toa_range_cumulative"].value == 0


def test_view_without_a_range_counts_the_same_both_ways_and_names_roi_outputs():
    _, wf = build("panel_0_xy", "panel_0", {})
    feed(wf, {"panel_0": DetectorEvents(np.arange(1, 101), np.full(100, 3 * MS))})
    out = wf.finalize()
    assert out["counts_total"].value == out["counts_in_toa_range"].value == 100
    assert out["roi_spectra_cumulative"].dims == ("roi", "time_of_arrival")
    assert "spectrum_current" not in out and "roi_spectra" not in out


def test_monitor_in_wavelength_mode_has_angstrom_edges_as_the_facility_spells():
    params = {"coordinate_mode": {"mode": "wavelength"}}
    spec, wf = build("monitor_histogram", "monitor1", params)
    feed(wf, {"monitor1": MonitorEvents(np.array([10, 20, 30]) * MS)})
    out = wf.finalize()
    assert out["cumulative"].dims == ("wavelength",)
    assert out["cumulative"].coords["wavelength"].unit == sc.Unit("angstrom")
    assert out["counts_in_toa_range"].value == out["counts_total"].value
    assert spec.outputs_for(params)["cumulative"].dims == ("wavelength",)


def test_microseconds_as_the_facility_spells_them_convert_exactly():
    band = {"enabled": True, "start": 1000.0, "stop": 2000.0, "unit": "\u03bcs"}
    _, wf = build("monitor_histogram", "monitor1", {"toa_range": band})
    feed(wf, {"monitor1": MonitorEvents(np.array([999_999, 1_000_000, 1_999_999]))})
    assert wf.finalize()["counts_in_toa_range"].value == 2


@pytest.mark.parametrize(
    "params",
    [
        {"toa_edges": {"scale": "log"}},
        {"pixel_weighting": {"enabled": True}},
        {"wavelength_range": {"enabled": True}},
    ],
    ids=["log-bins", "pixel-weighting", "wavelength-filter"],
)
def test_what_livedata_cannot_honour_is_refused_not_changed(params):
    with pytest.raises(UnsupportedParams):
        build("panel_0_xy", "panel_0", params)


def nxlog(*readings):
    log = ToNXlog(LogDataAttributes(unit="mm"))
    for t, value in readings:
        log.add(Timestamp(t), LogValue(t, value))
    return log.get()


def test_delta_is_what_came_since_the_previous_result():
    wf = DeltaTimeseriesWorkflow(source_name="motion1")
    assert wf.finalize() == {}
    feed(wf, {"motion1": nxlog((10, 1.0), (20, 2.0))})
    assert list(wf.finalize()["delta"].values) == [1.0, 2.0]
    assert wf.finalize() == {}  # nothing new
    feed(wf, {"motion1": nxlog((10, 1.0), (20, 2.0), (30, 3.0))})
    delta = wf.finalize()["delta"]
    assert list(delta.values) == [3.0] and delta.unit == sc.Unit("mm")
