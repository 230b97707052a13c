"""Total counts: a real sciline pipeline on NXevent_data from ToNXeventData."""

import numpy as np

from livedata.core.events import DetectorEvents
from livedata.core.timestamp import Timestamp
from livedata.preprocessors.events import ToNXeventData
from livedata.workflows.total_counts import make_total_counts_workflow

T0, T1 = Timestamp(0), Timestamp(1)


def nxevent_data(*pulse_sizes):
    acc = ToNXeventData()
    rng = np.random.default_rng(sum(pulse_sizes))
    for i, n in enumerate(pulse_sizes):
        acc.add(
            Timestamp(1_700_000_000_000_000_000 + i * 71_428_571),
            DetectorEvents(
                pixel_id=rng.integers(1, 100, n).astype(np.int32),
                time_of_arrival=rng.integers(0, 71_000_000, n).astype(np.int32),
            ),
        )
    return acc.get()


def feed(wf, data):
    wf.accumulate(data, start_time=T0, end_time=T1)


def test_total_and_window_counts_of_events():
    wf = make_total_counts_workflow("panel_0")
    assert wf.finalize() == {}
    feed(wf, {"panel_0": nxevent_data(5, 3, 0)})
    out = wf.finalize()
    assert set(out) == {"total_counts", "counts_current"}
    assert out["total_counts"].value == 8.0
    assert out["total_counts"].variance == 8.0
    assert str(out["total_counts"].unit) == "counts"
    assert out["counts_current"].value == 8.0

    feed(wf, {"panel_0": nxevent_data(4)})
    out = wf.finalize()
    assert out["total_counts"].value == 12.0
    assert out["counts_current"].value == 4.0

    feed(wf, {"panel_0": nxevent_data(1000, 2000)})
    feed(wf, {"panel_0": nxevent_data(7)})
    out = wf.finalize()
    assert out["total_counts"].value == 3019.0
    assert out["counts_current"].value == 3007.0


def test_clear_restarts_from_zero():
    wf = make_total_counts_workflow("panel_0")
    feed(wf, {"panel_0": nxevent_data(10)})
    wf.finalize()
    wf.clear()
    assert wf.finalize() == {}
    feed(wf, {"panel_0": nxevent_data(2)})
    assert wf.finalize()["total_counts"].value == 2.0
