"""LOKI I(Q) (esssans) from fake SANS events: the ring is where the fake put it."""

import functools
import inspect

import numpy as np
import pytest
import scipp as sc
from streaming_data_types import eventdata_ev44

from livedata.core.events import DetectorEvents, LogValue, MonitorEvents
from livedata.core.timestamp import Timestamp
from livedata.instruments import get_instrument
from livedata.instruments.loki import banks, fake
from livedata.instruments.loki.iofq import (
    IofQOutput,
    iofq_pipeline,
    make_iofq_workflow,
)
from livedata.instruments.loki.iofq_spec import IofQParams
from livedata.kafka.da00_compat import da00_to_scipp, scipp_to_da00
from livedata.preprocessors import ToNXeventData
from livedata.preprocessors.nxlog import ToNXlog


def nxevents(payloads, *, detector: bool):
    """Real ev44 bytes -> the data_reduction service's NXevent_data accumulator."""
    acc = ToNXeventData()
    for t, payload in payloads:
        ev = eventdata_ev44.deserialise_ev44(payload)
        value = (
            DetectorEvents(ev.pixel_id, ev.time_of_flight)
            if detector
            else MonitorEvents(ev.time_of_flight)
        )
        acc.add(Timestamp(t), value)
    return acc.get()


def carriage_log(*values_m: float) -> sc.DataArray:
    """The carriage NXlog as the data_reduction service hands it to a job."""
    acc = ToNXlog(get_instrument("loki").log_attributes[banks.CARRIAGE_LOG])
    for i, value in enumerate(values_m):
        acc.add(Timestamp(i), LogValue(value=value, timestamp_ns=i))
    return acc.get()


def inputs(params: IofQParams, bank: str, events_per_pulse: int) -> dict:
    data = {
        "detector_carriage": carriage_log(4.0, 5.0),
        bank: nxevents(
            fake.make_loki_events(bank, events_per_pulse=events_per_pulse),
            detector=True,
        ),
        "incident_monitor": nxevents(
            fake.make_loki_monitor_events(banks.MONITOR_INCIDENT), detector=False
        ),
    }
    if params.correct_transmission:
        data["transmission_monitor"] = nxevents(
            fake.make_loki_monitor_events(banks.MONITOR_TRANSMISSION), detector=False
        )
    return data


def run(params: IofQParams, bank: str = "loki_detector_0", events_per_pulse=10_000):
    wf = make_iofq_workflow(bank, params)
    data = inputs(params, bank, events_per_pulse)
    wf.accumulate(data, start_time=Timestamp(0), end_time=Timestamp(1))
    return wf.finalize()


@functools.cache
def default_run() -> dict:
    """``run(IofQParams())``, once per module: the rear bank's denominator
    (802,816 pixels x 70 wavelength bins) takes seconds. Callers must not modify."""
    return run(IofQParams())


def midpoints(edges):
    return 0.5 * (edges[1:] + edges[:-1])


def test_ring_peak_at_the_known_q_within_a_bin():
    out = default_run()
    iq = out["i_of_q"]
    q = midpoints(iq.coords["Q"].values)
    width = q[1] - q[0]
    window = (q > 0.06) & (q < 0.3)
    peak = q[window][np.nanargmax(iq.values[window])]
    assert abs(peak - fake.Q_RING) <= 1.5 * width
    assert str(iq.unit) == "dimensionless"


def test_normalised_intensity_follows_the_model_at_low_q():
    """I_reduced / I_model is flat where statistics are good: normalisation works."""
    iq = default_run()["i_of_q"]
    q = midpoints(iq.coords["Q"].values)
    low = (q > 0.01) & (q < 0.05)
    ratio = iq.values[low] / fake.intensity(q[low])
    assert np.all(np.isfinite(ratio))
    assert ratio.std() / ratio.mean() < 0.1


def test_transmission_is_what_the_fake_sample_lets_through():
    out = default_run()
    t = out["transmission"].values
    assert np.all(np.isfinite(t))
    assert np.mean(t) == pytest.approx(fake.TRANSMISSION, rel=0.03)


def test_without_transmission_correction_intensity_scales_by_transmission():
    with_t = default_run()["i_of_q"]
    without = run(IofQParams(correct_transmission=False))["i_of_q"]
    q = midpoints(with_t.coords["Q"].values)
    low = (q > 0.01) & (q < 0.05)
    ratio = without.values[low] / with_t.values[low]
    assert np.median(ratio) == pytest.approx(fake.TRANSMISSION, rel=0.05)


def test_current_window_equals_cumulative_after_one_window_and_is_finite_where_covered():
    out = default_run()
    cum, cur = out["i_of_q"].values, out["i_of_q_current"].values
    covered = np.isfinite(cum)
    assert covered.sum() > 50
    np.testing.assert_allclose(cur[covered], cum[covered])
    assert np.all(cum[covered] >= 0)


def test_side_panel_reaches_larger_q():
    iq = run(IofQParams(), bank="loki_detector_1", events_per_pulse=2_000)["i_of_q"]
    q = midpoints(iq.coords["Q"].values)
    covered = q[np.isfinite(iq.values) & (iq.values > 0)]
    assert covered.min() > 0.05  # a panel around the beam sees no small angles


def test_the_reduction_engine_is_esssans():
    """I(Q) and its denominator are computed by ess.sans providers of LokiWorkflow."""
    import sciline
    from ess.sans.types import Denominator, IntensityQ, ReducedQ, SampleRun

    pipeline = iofq_pipeline("loki_detector_0", IofQParams())
    # The live inputs (events, monitors) are fed later: no values yet.
    graph = pipeline.get(
        IofQOutput, handler=sciline.HandleAsComputeTimeException()
    )._graph
    assert graph[ReducedQ[SampleRun, Denominator]].func.__module__.startswith(
        "ess.sans"
    )
    # I(Q) is esssans's normalize_q, called on a copy of the numerator.
    intensity = graph[IntensityQ[SampleRun]].func
    source = inspect.getsource(intensity)
    assert "normalization.normalize_q(" in source and "numerator.copy()" in source


def test_i_of_q_leaves_the_numerator_that_counts_q_publishes_in_counts():
    """esssans divides the numerator in place; counts_q reads the same value in
    the same finalize, so the order the graph ran them in decided its unit (a
    flake seen in CI). The I(Q) provider must leave its input alone."""
    import sciline
    from ess.reduce.uncertainty import UncertaintyBroadcastMode
    from ess.sans.types import IntensityQ, SampleRun

    graph = (
        iofq_pipeline("loki_detector_0", IofQParams())
        .get(IofQOutput, handler=sciline.HandleAsComputeTimeException())
        ._graph
    )
    q = sc.linspace("Q", 0.01, 0.5, 4, unit="1/angstrom")
    numerator = sc.DataArray(
        sc.array(dims=["Q"], values=[10.0, 20.0, 30.0], unit="counts"),
        coords={"Q": q},
    )
    denominator = sc.DataArray(
        sc.array(dims=["Q"], values=[2.0, 4.0, 5.0], unit="counts"), coords={"Q": q}
    )
    before = numerator.copy()
    result = graph[IntensityQ[SampleRun]].func(
        numerator, denominator, False, UncertaintyBroadcastMode.drop
    )
    assert sc.identical(numerator, before)
    np.testing.assert_allclose(result.values, [5.0, 5.0, 6.0])
    assert result.unit == sc.units.one


def test_repeated_windows_accumulate_and_reads_do_not_alter_the_sums():
    """Two equal windows: cumulative I(Q) (a ratio) is unchanged, the window still
    equals it, and reading twice gives the same (esssans divides in place)."""
    params = IofQParams()
    bank = "loki_detector_0"
    data = inputs(params, bank, 2_000)
    wf = make_iofq_workflow(bank, params)
    wf.accumulate(data, start_time=Timestamp(0), end_time=Timestamp(1))
    first = wf.finalize()["i_of_q"].copy()
    wf.accumulate(data, start_time=Timestamp(1), end_time=Timestamp(2))
    second = wf.finalize()
    again = wf.finalize()
    covered = np.isfinite(first.values)
    for out in (second, again):
        np.testing.assert_allclose(out["i_of_q"].values[covered], first.values[covered])
        np.testing.assert_allclose(
            out["i_of_q_current"].values[covered], first.values[covered]
        )
    assert second["transmission"].values.mean() == pytest.approx(
        fake.TRANSMISSION, rel=0.03
    )


def test_outputs_survive_a_da00_round_trip_with_only_their_own_coords():
    out = default_run()
    for name, dim in (
        ("i_of_q", "Q"),
        ("i_of_q_current", "Q"),
        ("transmission", "wavelength"),
    ):
        da = out[name]
        assert set(da.coords) == {dim}
        back = da00_to_scipp(scipp_to_da00(da))
        assert back.dims == (dim,)
        np.testing.assert_allclose(back.values, da.values)
