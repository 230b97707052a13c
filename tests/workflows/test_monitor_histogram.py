"""Monitor histograms from events and from da00 histograms (real da00 bytes)."""

import numpy as np
import pytest
import scipp as sc
from streaming_data_types import dataarray_da00

from livedata.core.events import MonitorEvents
from livedata.core.timestamp import Timestamp
from livedata.kafka.da00_compat import da00_to_scipp, scipp_to_da00
from livedata.workflows.monitor_histogram import MonitorHistogramWorkflow
from livedata.workflows.monitor_histogram_spec import MonitorHistogramParams
from livedata.workflows.neutron import H_OVER_MN

T0, T1 = Timestamp(0), Timestamp(1)
MS = 1_000_000
TOA_PARAMS = {"toa_edges": {"start": 0.0, "stop": 10.0, "num_bins": 10}}


def make_monitor(params=TOA_PARAMS, distance_m=20.0):
    return MonitorHistogramWorkflow(
        source_name="mon",
        params=MonitorHistogramParams.model_validate(params),
        distance_m=distance_m,
    )


def monitor_events(toa_ms):
    return MonitorEvents(np.asarray(np.asarray(toa_ms) * MS, dtype=np.int32))


def over_the_wire(da: sc.DataArray) -> sc.DataArray:
    payload = dataarray_da00.serialise_da00("mon", 5, scipp_to_da00(da))
    return da00_to_scipp(dataarray_da00.deserialise_da00(payload).data)


def feed(view, data):
    view.accumulate(data, start_time=T0, end_time=T1)


def test_toa_mode_bins_events_in_ms():
    mon = make_monitor()
    feed(mon, {"mon": monitor_events([0.5, 0.6, 3.5, 9.99, 10.0, 15.0])})
    out = mon.finalize()
    current = out["current"]
    assert current.dims == ("time_of_arrival",)
    assert current.unit == sc.Unit("counts")
    assert current.coords["time_of_arrival"].unit == sc.Unit("ms")
    np.testing.assert_allclose(current.coords["time_of_arrival"].values, range(11))
    np.testing.assert_array_equal(current.values, [2, 0, 0, 1, 0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(current.variances, current.values)
    assert out["counts_total"].value == 4
    assert out["counts_total_cumulative"].value == 4


def test_window_and_cumulative_semantics():
    mon = make_monitor()
    feed(mon, {"mon": (monitor_events([0.5]), monitor_events([1.5, 1.5]))})
    first = mon.finalize()
    assert sc.identical(mon.finalize()["cumulative"], first["cumulative"])
    feed(mon, {"mon": monitor_events([1.5])})
    out = mon.finalize()
    np.testing.assert_array_equal(out["current"].values[:3], [0, 1, 0])
    np.testing.assert_array_equal(out["cumulative"].values[:3], [1, 3, 0])
    assert out["counts_total"].value == 1
    assert out["counts_total_cumulative"].value == 4
    feed(mon, {})
    out = mon.finalize()
    assert out["counts_total"].value == 0
    assert out["counts_total_cumulative"].value == 4
    mon.clear()
    assert mon.finalize()["counts_total_cumulative"].value == 0


def test_wavelength_mode_converts_with_the_monitor_distance():
    params = {
        "coordinate_mode": "wavelength",
        "wavelength_edges": {"start": 1.0, "stop": 3.0, "num_bins": 4},
    }
    mon = make_monitor(params, distance_m=20.0)
    # 10 ms over 20 m -> 1.978 Å (bin 1), 12 ms -> 2.374 Å (bin 2).
    feed(mon, {"mon": monitor_events([10.0, 12.0, 12.0, 40.0])})
    current = mon.finalize()["current"]
    assert current.dims == ("wavelength",)
    assert current.coords["wavelength"].unit == sc.Unit("angstrom")
    np.testing.assert_array_equal(current.values, [0, 1, 2, 0])
    lam = 10 * MS * H_OVER_MN * 1e1 / 20.0
    assert lam == pytest.approx(1.978017, rel=1e-6)


def test_time_of_flight_mode_is_refused():
    with pytest.raises(ValueError, match="not available"):
        make_monitor({"coordinate_mode": "time_of_flight"})


def _histogram(edges_ns, counts):
    return sc.DataArray(
        sc.array(
            dims=["time_of_arrival"], values=np.asarray(counts, float), unit="counts"
        ),
        coords={
            "time_of_arrival": sc.array(
                dims=["time_of_arrival"], values=np.asarray(edges_ns, float), unit="ns"
            )
        },
    )


def test_da00_histogram_is_rebinned_onto_the_toa_edges():
    mon = make_monitor()
    # Two 5 ms bins in ns: rebinning spreads each over five 1 ms bins.
    hist = over_the_wire(_histogram([0, 5 * MS, 10 * MS], [10.0, 20.0]))
    feed(mon, {"mon": hist})
    out = mon.finalize()
    np.testing.assert_allclose(out["current"].values, [2.0] * 5 + [4.0] * 5)
    assert out["counts_total"].value == pytest.approx(30.0)
    feed(mon, {"mon": hist})
    assert mon.finalize()["counts_total_cumulative"].value == pytest.approx(60.0)


def test_da00_histogram_with_another_dim_name_and_ms_unit():
    mon = make_monitor()
    hist = sc.DataArray(
        sc.array(dims=["t"], values=[3.0, 7.0], unit="counts"),
        coords={
            "time_of_arrival": sc.array(dims=["t"], values=[0.0, 1.0, 2.0], unit="ms")
        },
    )
    feed(mon, {"mon": over_the_wire(hist)})
    np.testing.assert_allclose(mon.finalize()["current"].values[:3], [3.0, 7.0, 0.0])


def test_da00_histogram_in_wavelength_mode():
    params = {
        "coordinate_mode": "wavelength",
        "wavelength_edges": {"start": 1.0, "stop": 3.0, "num_bins": 4},
    }
    mon = make_monitor(params, distance_m=20.0)
    # Edges at 1.25 and 2.75 Å: all counts fall within [1, 3].
    scale = H_OVER_MN * 1e1 / 20.0  # Å per ns
    hist = _histogram([1.25 / scale, 2.75 / scale], [12.0])
    feed(mon, {"mon": over_the_wire(hist)})
    values = mon.finalize()["current"].values
    np.testing.assert_allclose(values, [2.0, 4.0, 4.0, 2.0])


def test_histogram_without_a_toa_coordinate_is_rejected():
    mon = make_monitor()
    hist = sc.DataArray(sc.array(dims=["x"], values=[1.0]), coords={})
    with pytest.raises(ValueError, match="time_of_arrival"):
        feed(mon, {"mon": hist})


def test_events_outside_the_bins_are_reported_as_dropped():
    mon = make_monitor()
    feed(mon, {"mon": monitor_events([0.5, 10.0, 15.0, 3.0])})
    assert mon.take_dropped_events() == {"out_of_range": 2}
    assert mon.take_dropped_events() == {"out_of_range": 0}


def test_histogram_counts_outside_the_bins_are_reported_as_dropped():
    mon = make_monitor()  # 0..10 ms
    histogram = sc.DataArray(
        sc.array(dims=["time_of_arrival"], values=[3.0, 4.0, 5.0], unit="counts"),
        coords={
            "time_of_arrival": sc.array(
                dims=["time_of_arrival"], values=[0.0, 5.0, 10.0, 15.0], unit="ms"
            )
        },
    )
    feed(mon, {"mon": over_the_wire(histogram)})
    assert mon.finalize()["counts_total"].value == pytest.approx(7.0)
    assert mon.take_dropped_events() == {"out_of_range": 5}


def test_toa_edges_in_seconds_give_edges_in_seconds():
    mon = make_monitor(
        {"toa_edges": {"start": 0.0, "stop": 0.01, "num_bins": 10, "unit": "s"}}
    )
    feed(mon, {"mon": monitor_events([0.5, 3.5, 9.99])})
    current = mon.finalize()["current"]
    assert current.coords["time_of_arrival"].unit == sc.Unit("s")
    np.testing.assert_allclose(current.coords["time_of_arrival"].values[-1], 0.01)
    np.testing.assert_array_equal(current.values, [1, 0, 0, 1, 0, 0, 0, 0, 0, 1])
