"""The facility's bifrost/elastic_qmap ids through the real data_reduction
service: elastic events of one pixel land at the Q its geometry gives
(Q = k_i - k_f, |Q| = 2 k sin θ), on the facility's axes and custom axes, and
at livedata's own Q-E map's |Q|."""

import numpy as np
import pytest

from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.geometry.detector_source import NeXusDetectorSource
from livedata.instruments import get_instrument
from livedata.instruments.bifrost import banks
from livedata.instruments.bifrost.conversions import MEV_TO_SPEED, secondary_paths
from livedata.kafka.wire_builders import ev44_message
from tests.contract.facility_commands import as_record, dashboard_config
from tests.instruments.science_harness import ServiceHarness, config, start_ns

BIFROST = get_instrument("bifrost")
ARC, TUBE, CHANNEL, PIXEL = 4, 1, 6, 50  # E_f = 5 meV, 2θ ≈ 65°
MEV_PER_INV_ANGSTROM2 = 2.0721  # E = ħ²k²/2m_n


def _pixel() -> tuple[int, np.ndarray]:
    bank = NeXusDetectorSource("bifrost").load().bank(banks.UNIFIED.name)
    return (
        banks.detector_number(ARC, TUBE, CHANNEL, PIXEL),
        bank.positions[ARC, TUBE, CHANNEL, PIXEL],
    )


def _expected_q() -> np.ndarray:
    """Q = k_i - k_f of an elastic event: k along the beam (z) in, along the
    scattering plane towards the pixel's analyser out."""
    _, position = _pixel()
    k = np.sqrt(banks.ARC_ENERGIES_MEV[ARC] / MEV_PER_INV_ANGSTROM2)
    out = np.array([position[0], 0.0, position[2]])
    return np.array([0.0, 0.0, k]) - k * out / np.linalg.norm(out)


def _elastic_raws(t0: int, n: int = 500) -> list:
    """Elastic events (E_i = E_f) of one pixel, on its triplet's stream: the
    time of arrival from L1 / v + L2 / v, every neutron leaving at the pulse
    start; then a message closing the window."""
    number, position = _pixel()
    v = MEV_TO_SPEED * np.sqrt(banks.ARC_ENERGIES_MEV[ARC])
    flight = (banks.SOURCE_TO_SAMPLE_M + secondary_paths(position)[0]) / v
    toa = int(np.rint(flight * 1e9)) % PULSE_PERIOD.ns
    source = banks.triplet_name(ARC, CHANNEL)
    raws = [
        ev44_message(
            "bifrost_detector",
            source,
            t0 + i * PULSE_PERIOD.ns,
            [number] * n,
            [toa] * n,
        )
        for i in range(14)
    ]
    raws.append(ev44_message("bifrost_detector", source, t0 + NS_PER_S + 1, [1], [0]))
    return raws


def _centres(edges: np.ndarray) -> np.ndarray:
    return 0.5 * (edges[1:] + edges[:-1])


def _mean(da, dim: str) -> float:
    other = next(d for d in da.dims if d != dim)
    per = da.sum(other)
    return float(
        (_centres(per.coords[dim].values) * per.values).sum() / per.sum().value
    )


@pytest.fixture(scope="module")
def run():
    """Both facility ids (the dashboard's defaults; custom axes at 45° in the
    scattering plane, not normalised) and livedata's own Q-E map."""
    custom = dashboard_config("bifrost/elastic_qmap_custom/1", banks.UNIFIED.name)
    custom["params"]["axis1"] = {"qx": 2.0, "qy": 0.0, "qz": 2.0}
    custom["params"]["axis2"] = {"qx": -1.0, "qy": 0.0, "qz": 1.0}
    plain = dashboard_config("bifrost/elastic_qmap/1", banks.UNIFIED.name)
    h = ServiceHarness("bifrost", "data_reduction")
    qe_map = next(s for s in BIFROST.workflows.specs() if s.name == "qe_map")
    qe_params = {
        "q_edges": {"start": 0.0, "stop": 2.5, "num_bins": 250},
        "energy_transfer_edges": {"start": -0.5, "stop": 0.5, "num_bins": 10},
    }
    configs = [
        WorkflowConfig.model_validate(plain),
        WorkflowConfig.model_validate(custom),
        config(qe_map, banks.UNIFIED.name, params=qe_params),
    ]
    assert h.start(configs) == ["ACK"] * 3
    out = h.step(_elastic_raws(start_ns()))
    out += h.next_heartbeat()
    jobs = {
        "plain": JobId.model_validate(plain["job_id"]),
        "custom": JobId.model_validate(custom["job_id"]),
    }
    return h, out, jobs


def test_elastic_events_land_at_their_q_on_the_facilitys_axes(run):
    h, out, jobs = run
    cut = h.results_of_job(out, jobs["plain"])["cut_data"]
    assert cut.dims == ("Qz", "Qx")  # (axis2, axis1), as the facility's
    assert str(cut.coords["Qx"].unit) == "1/Å"
    assert cut.sum().value == 14 * 500  # every event, in one pixel's bin
    qx, _, qz = _expected_q()
    width = 6.0 / 100
    assert _mean(cut, "Qx") == pytest.approx(qx, abs=width / 2)
    assert _mean(cut, "Qz") == pytest.approx(qz, abs=width / 2)


def test_custom_axes_are_normalised_directions_named_as_the_facility_names_them(run):
    h, out, jobs = run
    cut = h.results_of_job(out, jobs["custom"])["cut_data"]
    one, two = "Q_(2.0,0.0,2.0)", "Q_(-1.0,0.0,1.0)"
    assert cut.dims == (two, one)  # survived the da00 round trip, names as sent
    q = _expected_q()
    width = 6.0 / 100
    assert _mean(cut, one) == pytest.approx((q[0] + q[2]) / np.sqrt(2), abs=width)
    assert _mean(cut, two) == pytest.approx((q[2] - q[0]) / np.sqrt(2), abs=width)


def test_magnitude_equals_livedatas_own_qe_map_and_two_k_sin_theta(run):
    h, out, jobs = run
    qe = h.results(out)[("qe_map", banks.UNIFIED.name, "qe_map")]
    own_q = _mean(qe, "Q")
    q = _expected_q()
    k = np.sqrt(banks.ARC_ENERGIES_MEV[ARC] / MEV_PER_INV_ANGSTROM2)
    _, position = _pixel()
    two_theta = np.arctan2(abs(position[0]), position[2])
    assert np.linalg.norm(q) == pytest.approx(2 * k * np.sin(two_theta / 2), rel=1e-9)
    assert own_q == pytest.approx(np.linalg.norm(q), abs=0.01)  # its bin: 0.01
    cut = h.results_of_job(out, jobs["plain"])["cut_data"]
    assert np.hypot(_mean(cut, "Qx"), _mean(cut, "Qz")) == pytest.approx(
        own_q, abs=0.05
    )


def test_the_frame_is_said_in_the_jobs_heartbeat(run):
    h, out, jobs = run
    last = {s.job_id: s for s in h.statuses(out)}
    for job in jobs.values():
        assert "laboratory frame" in last[job].warning


def test_one_axis_twice_or_no_direction_is_refused_with_the_reason():
    h = ServiceHarness("bifrost", "data_reduction")
    twice = dashboard_config("bifrost/elastic_qmap/1", banks.UNIFIED.name)
    twice["params"]["axis2"]["axis"] = "Qx"
    zero = dashboard_config("bifrost/elastic_qmap_custom/1", banks.UNIFIED.name)
    zero["params"]["axis1"] = {"qx": 0.0, "qy": 0.0, "qz": 0.0}
    out = h.step(as_record(d, "bifrost") for d in (twice, zero))
    answers = [m.value for t, m in out if t == "bifrost_livedata_responses"]
    assert [a.response.value for a in answers] == ["ERR", "ERR"]
    assert "same axis (Qx)" in answers[0].message
    assert "zero vector" in answers[1].message
