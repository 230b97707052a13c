"""Timeseries workflow: log history (from ToNXlog) and its latest value."""

import numpy as np
import scipp as sc

from livedata.core.events import LogValue
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.timestamp import Timestamp
from livedata.preprocessors.nxlog import ToNXlog
from livedata.workflows.timeseries import TimeseriesWorkflow

T0, T1 = Timestamp(0), Timestamp(1)
BASE = 1_700_000_000_000_000_000


def history(*readings):
    log = ToNXlog(LogDataAttributes(unit="mm"))
    for offset_ns, value in readings:
        log.add(Timestamp(BASE + offset_ns), LogValue(BASE + offset_ns, value))
    return log.get()


def feed(wf, data):
    wf.accumulate(data, start_time=T0, end_time=T1)


def test_no_result_before_a_reading():
    wf = TimeseriesWorkflow(source_name="motion1")
    assert wf.finalize() == {}
    feed(wf, {"other": history((0, 1.0))})
    assert wf.finalize() == {}


def test_timeseries_and_latest_with_sample_time():
    wf = TimeseriesWorkflow(source_name="motion1")
    feed(wf, {"motion1": history((0, 1.5), (2_000, 3.5), (1_000, 2.5))})
    out = wf.finalize()
    series = out["timeseries"]
    assert series.dims == ("time",)
    assert series.unit == sc.Unit("mm")
    np.testing.assert_array_equal(series.values, [1.5, 2.5, 3.5])
    expected_times = np.array([BASE, BASE + 1_000, BASE + 2_000], "datetime64[ns]")
    np.testing.assert_array_equal(series.coords["time"].values, expected_times)

    latest = out["latest"]
    assert latest.dims == ()
    assert latest.value == 3.5
    assert latest.unit == sc.Unit("mm")
    assert "time" not in latest.coords
    assert latest.coords["sample_time"].value == expected_times[-1]
    assert latest.coords["sample_time"].unit == sc.Unit("ns")
    # Building "latest" does not touch the history.
    assert "time" in wf.finalize()["timeseries"].coords


def test_a_newer_history_replaces_the_old_one_and_clear_forgets_it():
    wf = TimeseriesWorkflow(source_name="motion1")
    feed(wf, {"motion1": history((0, 1.0))})
    feed(wf, {"motion1": history((0, 1.0), (5, 9.0))})
    assert wf.finalize()["latest"].value == 9.0
    assert wf.finalize()["timeseries"].sizes == {"time": 2}
    wf.clear()
    assert wf.finalize() == {}


def test_an_empty_history_is_no_result():
    wf = TimeseriesWorkflow(source_name="motion1")
    empty = sc.DataArray(
        sc.array(dims=["time"], values=np.zeros(0), unit="mm"),
        coords={"time": sc.array(dims=["time"], values=np.zeros(0, "datetime64[ns]"))},
    )
    feed(wf, {"motion1": empty})
    assert wf.finalize() == {}


def feed_at(wf, data, start_ns):
    wf.accumulate(
        data, start_time=Timestamp(start_ns), end_time=Timestamp(start_ns + 1)
    )


def test_clear_starts_a_fresh_history_though_the_shared_log_keeps_growing():
    """ToNXlog is shared by every job on the stream and is never cleared by one."""
    log = ToNXlog(LogDataAttributes(unit="mm"))
    wf = TimeseriesWorkflow(source_name="motion1")
    for i in range(3):
        t = BASE + i
        log.add(Timestamp(t), LogValue(t, float(i)))
        feed_at(wf, {"motion1": log.get()}, t)
    assert wf.finalize()["timeseries"].values.tolist() == [0.0, 1.0, 2.0]
    wf.clear()
    assert wf.finalize() == {}
    t = BASE + 10
    log.add(Timestamp(t), LogValue(t, 9.0))
    feed_at(wf, {"motion1": log.get()}, t)
    out = wf.finalize()
    assert out["timeseries"].values.tolist() == [9.0]
    assert out["latest"].value == 9.0
    t = BASE + 11
    log.add(Timestamp(t), LogValue(t, 10.0))
    feed_at(wf, {"motion1": log.get()}, t)
    assert wf.finalize()["timeseries"].values.tolist() == [9.0, 10.0]


def test_after_clear_readings_not_seen_before_but_dated_earlier_stay_forgotten():
    """A job paused while readings came, then reset: those readings are history."""
    log = ToNXlog(LogDataAttributes(unit="mm"))
    wf = TimeseriesWorkflow(source_name="motion1")
    log.add(Timestamp(BASE), LogValue(BASE, 1.0))
    feed_at(wf, {"motion1": log.get()}, BASE)
    for i in (1, 2):  # arrive while the job does not look (paused)
        log.add(Timestamp(BASE + i), LogValue(BASE + i, 5.0 + i))
    wf.clear()
    log.add(Timestamp(BASE + 5), LogValue(BASE + 5, 9.0))
    feed_at(wf, {"motion1": log.get()}, BASE + 5)
    assert wf.finalize()["timeseries"].values.tolist() == [9.0]
