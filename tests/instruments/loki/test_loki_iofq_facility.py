"""The facility's loki/i_of_q/1 through the real data_reduction service: events
put at a known Q from kinematics come out at that Q, in the facility's units
and scales; its transmission modes; and livedata's own i_of_q/2's numbers on the
same events."""

import numpy as np
import pytest

from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import NS_PER_S, Timestamp
from livedata.core.workflow import WorkflowContext
from livedata.instruments import get_instrument
from livedata.instruments.loki import banks, fake
from livedata.instruments.loki.iofq import geometry
from livedata.instruments.loki.iofq_facility import iofq_settings, make_facility_iofq
from livedata.instruments.loki.layout import two_theta
from livedata.kafka.wire_builders import ev44_message
from livedata.workflows.facility.reduction_params import SansWorkflowParams
from tests.contract.facility_commands import dashboard_config
from tests.instruments.loki.test_loki_iofq import nxevents
from tests.instruments.loki.test_loki_services import raw_data
from tests.instruments.science_harness import (
    ServiceHarness,
    config,
    pulse_times,
    start_ns,
)

LOKI = get_instrument("loki")
FACILITY = "loki/i_of_q/1"
Q0 = 0.175  # 1/Å, where the events are put
PANEL = "loki_detector_1"


def _known_q_raws(t0: int, bank_name: str, per_pulse: int = 4000) -> list:
    """Two windows of events at Q0 (a pixel at random among those that reach Q0
    with 2.5-8.5 Å, its wavelength from Q = 4π sin(θ)/λ, the time of arrival
    from the flight time and an emission time of the real ESS pulse), the
    monitors' events, and a message closing the second window."""
    rng = np.random.default_rng(3)
    bank = geometry().bank(bank_name)
    positions = bank.positions.reshape(-1, 3)
    numbers = bank.detector_number.ravel()
    lam = 4 * np.pi * np.sin(two_theta(positions) / 2) / Q0
    candidates = np.flatnonzero((lam > 2.5) & (lam < 8.5))
    assert candidates.size > 1000
    key = LOKI.stream_mapping(dev=True).key_for(
        StreamId(StreamKind.DETECTOR_EVENTS, bank_name)
    )
    times = pulse_times(t0, 28)
    raws = []
    for i, t in enumerate(times):
        pick = rng.choice(candidates, per_pulse)
        flight = banks.SOURCE_TO_SAMPLE_M + np.linalg.norm(positions[pick], axis=1)
        toa = fake.toa_ns(lam[pick], flight, rng)
        raws.append(ev44_message(key.topic, key.source_name, t, numbers[pick], toa, i))
    raws += fake.loki_monitor_messages(
        LOKI, 2e5, None, True, pulse_times=iter(times), pool_size=2
    )
    closing = ev44_message(
        key.topic, key.source_name, t0 + 2 * NS_PER_S + 1, [int(numbers[0])], [0]
    )
    return [*sorted(raws, key=lambda r: r.timestamp_ms), closing]


def _centres(edges: np.ndarray) -> np.ndarray:
    return 0.5 * (edges[1:] + edges[:-1])


def _document(**params) -> dict:
    document = dashboard_config(FACILITY, PANEL)
    document["params"].update(params)
    return document


@pytest.fixture(scope="module")
def known_q():
    """Three facility jobs on the side panel, on the same events at Q0."""
    documents = {
        "defaults": _document(),
        "log_nm": _document(
            q_edges={"start": 1.0, "stop": 3.0, "num_bins": 200, "scale": "log",
                     "unit": "1/nm"},
            wavelength_edges={"start": 0.2, "stop": 0.9, "num_bins": 70,
                              "scale": "log", "unit": "nm"},
        ),
        "constant": _document(transmission={"mode": "constant"}),
    }  # fmt: skip
    h = ServiceHarness("loki", "data_reduction")
    configs = [WorkflowConfig.model_validate(d) for d in documents.values()]
    assert h.start(configs) == ["ACK"] * 3
    out = h.step(_known_q_raws(start_ns(), PANEL))
    jobs = {name: JobId.model_validate(d["job_id"]) for name, d in documents.items()}
    results = {name: h.results_of_job(out, job) for name, job in jobs.items()}
    last = {s.job_id: s for s in h.statuses(out + h.next_heartbeat())}
    return results, {name: last[job] for name, job in jobs.items()}


@pytest.mark.slow  # esssans's denominator of a panel, three jobs
def test_events_at_a_known_q_peak_in_its_bin_with_the_dashboards_defaults(known_q):
    results, statuses = known_q
    assert set(results["defaults"]) == {"i_of_q", "transmission_fraction"}
    iq = results["defaults"]["i_of_q"]
    assert iq.dims == ("Q",) and str(iq.coords["Q"].unit) == "1/Å"
    edges = iq.coords["Q"].values
    np.testing.assert_allclose(edges, np.linspace(0.01, 0.3, 21))
    peak = int(np.nanargmax(iq.values))
    assert edges[peak] <= Q0 < edges[peak + 1]
    # Wavelengths outside the lookup table's band are masked, and said so.
    assert "masked" in statuses["defaults"].warning


@pytest.mark.slow  # esssans's denominator of a panel, three jobs
def test_log_scaled_bins_in_inverse_nanometres_put_the_events_at_q0(known_q):
    results, _ = known_q
    iq = results["log_nm"]["i_of_q"]
    assert str(iq.coords["Q"].unit) == "1/nm"
    edges = iq.coords["Q"].values
    np.testing.assert_allclose(edges, np.geomspace(1.0, 3.0, 201))
    q = _centres(edges)
    weight = np.nan_to_num(iq.values)
    assert weight.sum() > 0
    mean = (q * weight).sum() / weight.sum()
    assert mean == pytest.approx(10 * Q0, rel=0.01)  # 1/Å = 10/nm
    # Spread only by the ESS pulse's emission times (±3.6 % of the flight
    # time at its flat top, a faint tail beyond).
    offset = np.abs(q / (10 * Q0) - 1)
    assert weight[offset < 0.05].sum() > 0.99 * weight.sum()
    assert not weight[offset > 0.08].any()
    wavelength = results["log_nm"]["transmission_fraction"].coords["wavelength"]
    assert str(wavelength.unit) == "nm"


@pytest.mark.slow  # esssans's denominator of a panel, three jobs
def test_constant_transmission_is_one_and_leaves_i_of_q_uncorrected(known_q):
    results, _ = known_q
    assert np.all(results["constant"]["transmission_fraction"].values == 1.0)
    measured = results["defaults"]["transmission_fraction"].values
    assert np.nanmean(measured) == pytest.approx(fake.TRANSMISSION, rel=0.03)
    corrected = results["defaults"]["i_of_q"].values
    uncorrected = results["constant"]["i_of_q"].values
    peak = int(np.nanargmax(corrected))
    ratio = uncorrected[peak] / corrected[peak]
    assert ratio == pytest.approx(fake.TRANSMISSION, rel=0.03)


@pytest.mark.slow  # the rear bank's denominator, twice
def test_the_facility_id_equals_livedatas_own_i_of_q_on_the_same_events():
    """Same bins (2-9 Å in 70, the facility's Q bins), the rear bank at the
    carriage's nominal 5 m for both: the same I(Q) and transmission."""
    bank = banks.REAR.name
    h = ServiceHarness("loki", "data_reduction")
    document = dashboard_config(FACILITY, bank)
    document["params"]["wavelength_edges"] = {
        "start": 2.0, "stop": 9.0, "num_bins": 70, "scale": "linear", "unit": "Å"
    }  # fmt: skip
    own = LOKI.workflows.spec(WorkflowId.parse_str("loki/i_of_q/2"))
    own_params = {
        "q_bins": {"start": 0.01, "stop": 0.3, "num_bins": 20},
        "wavelength": {"start": 2.0, "stop": 9.0, "num_bins": 70},
    }
    configs = [
        WorkflowConfig.model_validate(document),
        config(own, bank, params=own_params),
    ]
    assert h.start(configs) == ["ACK", "ACK"]
    out = h.step(raw_data(start_ns()))
    results = h.results_by_id(out)
    ours = results[(FACILITY, bank, "i_of_q")]
    theirs = results[("loki/i_of_q/2", bank, "i_of_q")]
    assert np.isfinite(theirs.values).sum() > 10
    np.testing.assert_allclose(ours.values, theirs.values, rtol=1e-9)
    np.testing.assert_allclose(
        results[(FACILITY, bank, "transmission_fraction")].values,
        results[("loki/i_of_q/2", bank, "transmission")].values,
        rtol=1e-9,
    )
    job = JobId.model_validate(document["job_id"])
    statuses = h.statuses(out + h.next_heartbeat())
    assert [s.warning for s in statuses if s.job_id == job][-1] is None


def test_the_beam_centre_is_a_point_on_the_beam_at_the_rear_banks_distance():
    params = SansWorkflowParams.model_validate(
        {"beam_center": {"x": 2.0, "y": -1.0, "unit": "cm"}}
    )
    settings, note = iofq_settings(params)
    np.testing.assert_allclose(
        settings.beam_center.value, [0.02, -0.01, banks.NOMINAL_CARRIAGE_M]
    )
    assert "beam_center" in note and not settings.follow_carriage
    centred, note = iofq_settings(SansWorkflowParams())
    np.testing.assert_array_equal(centred.beam_center.value, [0.0, 0.0, 0.0])
    assert "masked" in note and "beam_center" not in note  # defaults: 1-13 Å


@pytest.mark.slow  # esssans's per-event chain and the kernel, a panel each
def test_log_scaled_wavelength_bins_give_esssans_own_result():
    """The kernel bins into log-scaled wavelength edges as esssans's per-event
    chain does."""
    params = SansWorkflowParams.model_validate(
        {"wavelength_edges": {"start": 2.0, "stop": 9.0, "num_bins": 40,
                              "scale": "log"},
         "q_edges": {"start": 0.05, "stop": 0.6, "num_bins": 30, "scale": "log"}}
    )  # fmt: skip
    context = WorkflowContext(
        "loki",
        JobId(source_name=PANEL),
        params,
        {
            "incident_monitor": banks.MONITOR_INCIDENT,
            "transmission_monitor": banks.MONITOR_TRANSMISSION,
        },
    )
    data = {
        PANEL: nxevents(
            fake.make_loki_events(PANEL, events_per_pulse=2_000), detector=True
        ),
        "incident_monitor": nxevents(
            fake.make_loki_monitor_events(banks.MONITOR_INCIDENT), detector=False
        ),
        "transmission_monitor": nxevents(
            fake.make_loki_monitor_events(banks.MONITOR_TRANSMISSION), detector=False
        ),
    }
    results = []
    for kernel in (True, False):
        workflow = make_facility_iofq(context, per_event_kernel=kernel)
        workflow.accumulate(data, start_time=Timestamp(0), end_time=Timestamp(1))
        results.append(workflow.finalize())
    ours, theirs = results
    assert set(ours) == set(theirs) == {"i_of_q", "transmission_fraction"}
    assert np.isfinite(theirs["i_of_q"].values).sum() > 10
    for name in ours:
        np.testing.assert_allclose(
            ours[name].values, theirs[name].values, rtol=1e-6, equal_nan=True
        )
