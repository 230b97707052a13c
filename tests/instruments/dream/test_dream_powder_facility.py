"""The facility's dream/powder_reduction ids through the real data_reduction
service: the dashboard's commands, Bragg lines where the fake put them, time of
flight from the bank's DIFC, and livedata's own dream/powder's numbers."""

import numpy as np
import pytest
from dream_helpers import nx_events, window

from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.core.workflow import WorkflowContext
from livedata.instruments.dream import banks, fake
from livedata.instruments.dream.powder_facility import (
    make_powder_reduction,
    powder_bins,
)
from livedata.instruments.dream.powder_facility_spec import FOCUSSED, NORMALISED
from livedata.instruments.dream.views import geometry
from livedata.instruments.dream.wavelength import ChopperSetting
from livedata.kafka.wire_builders import ev44_message
from livedata.workflows.facility.reduction_params import PowderWorkflowParams
from livedata.workflows.neutron import H_OVER_MN_ANGSTROM
from tests.contract.facility_commands import dashboard_config
from tests.instruments.science_harness import ServiceHarness, config, start_ns

LINES = (1.5, 2.0)  # Å, the fake's powder lines
BANK = banks.MANTLE.name
PLAIN = "dream/powder_reduction/1"
VANADIUM = "dream/powder_reduction_with_vanadium/1"


def _raws(t0: int, n_pulses: int = 28, per_pulse: int = 3000) -> list:
    """Mantle events of the fake's lines and cave-monitor events, then a
    message closing the last window."""
    rng = np.random.default_rng(5)
    bank = geometry().bank(BANK)
    raws = []
    for i in range(n_pulses):
        t = t0 + i * PULSE_PERIOD.ns
        ev = fake.powder_events(bank, per_pulse, rng=rng, d_lines=LINES)
        raws.append(
            ev44_message("dream_detector", BANK, t, ev.pixel_id, ev.time_of_arrival, i)
        )
        monitor = fake.monitor_events(400, rng=rng)
        # The cave monitor's DEV source name (the facility's).
        raws.append(ev44_message("dream_beam_monitor", "monitor2", t, None, monitor, i))
    end = t0 + (n_pulses // 14) * NS_PER_S + 1
    raws.append(
        ev44_message(
            "dream_detector", BANK, end, [banks.MANTLE.first_detector_number], [0]
        )
    )
    return raws


def _centres(edges: np.ndarray) -> np.ndarray:
    return 0.5 * (edges[1:] + edges[:-1])


def _peaks(values: np.ndarray, centres: np.ndarray, n: int, apart: float) -> list:
    found: list[float] = []
    for index in np.argsort(np.nan_to_num(values))[::-1]:
        if all(abs(centres[index] - f) > apart for f in found):
            found.append(float(centres[index]))
        if len(found) == n:
            break
    return sorted(found)


def _difc_us_per_angstrom() -> float:
    """essdiffraction's DIFC of the mantle, from the geometry file alone:
    t = λ L / (h/m_n) with λ = 2 d sin(θ), at the bank's mean L and 2θ."""
    the_geometry = geometry()
    positions = the_geometry.bank(BANK).positions.reshape(-1, 3)
    source = np.asarray(the_geometry.layout.source_position)
    sample = np.asarray(the_geometry.layout.sample_position)
    l1 = np.linalg.norm(sample - source)
    scattered = positions - sample
    l2 = np.linalg.norm(scattered, axis=1)
    beam = (sample - source) / l1
    two_theta = np.arccos(scattered @ beam / l2)
    mean_l = l1 + l2.mean()
    return 2 * mean_l * np.sin(two_theta.mean() / 2) / H_OVER_MN_ANGSTROM * 1e6


@pytest.fixture(scope="module")
def run(dream_lookup_table):
    """Both facility ids with the dashboard's defaults and livedata's own
    dream/powder with the same bins, on the same bytes."""
    h = ServiceHarness("dream", "data_reduction")
    documents = {wid: dashboard_config(wid, BANK) for wid in (PLAIN, VANADIUM)}
    configs = [WorkflowConfig.model_validate(d) for d in documents.values()]
    own = next(s for s in h.instrument.workflows.specs() if s.name == "powder")
    own_params = {
        "dspacing_edges": {"start": 0.4, "stop": 3.5, "num_bins": 500},
        "two_theta_edges": {
            "start": float(np.rad2deg(0.4)),
            "stop": float(np.rad2deg(3.1415)),
            "num_bins": 100,
        },
        "wavelength_range": {"enabled": True, "start": 1.1, "stop": 4.5},
        "chopper_setting": "high_flux_BC240",
    }
    configs.append(config(own, BANK, params=own_params))
    assert h.start(configs) == ["ACK"] * 3
    out = h.step(_raws(start_ns()))
    jobs = {wid: JobId.model_validate(d["job_id"]) for wid, d in documents.items()}
    return h, out, jobs


@pytest.mark.slow  # essdiffraction's pipeline, three jobs
def test_results_carry_exactly_the_facility_output_names(run):
    h, out, _ = run
    results = h.results_by_id(out)
    for wid, names in (
        (PLAIN, {"focussed_data_dspacing", "focussed_data_dspacing_two_theta",
                 "focussed_data_tof"}),
        (VANADIUM, {"focussed_data_dspacing", "focussed_data_dspacing_two_theta",
                    "focussed_data_tof", "i_of_dspacing", "i_of_dspacing_two_theta",
                    "i_of_tof"}),
    ):  # fmt: skip
        assert {k[2] for k in results if k[0] == wid and k[1] == BANK} == names


@pytest.mark.slow  # essdiffraction's pipeline, three jobs
def test_bragg_lines_are_where_the_fake_put_them(run):
    h, out, _ = run
    i_of_d = h.results_by_id(out)[(VANADIUM, BANK, "focussed_data_dspacing")]
    edges = i_of_d.coords["dspacing"].values
    assert str(i_of_d.coords["dspacing"].unit) == "Å"
    width = edges[1] - edges[0]
    peaks = _peaks(i_of_d.values, _centres(edges), 2, apart=0.1)
    np.testing.assert_allclose(peaks, LINES, atol=2 * width)


@pytest.mark.slow  # essdiffraction's pipeline, three jobs
def test_time_of_flight_is_d_times_the_banks_difc(run):
    h, out, _ = run
    results = h.results_by_id(out)
    by_d = results[(VANADIUM, BANK, "focussed_data_dspacing")]
    by_tof = results[(VANADIUM, BANK, "focussed_data_tof")]
    assert by_tof.dims == ("tof",)
    assert str(by_tof.coords["tof"].unit) == "µs"
    difc = by_tof.coords["tof"].values / by_d.coords["dspacing"].values
    np.testing.assert_allclose(difc, _difc_us_per_angstrom(), rtol=1e-6)
    np.testing.assert_array_equal(by_tof.values, by_d.values)  # same counts
    tof = _centres(by_tof.coords["tof"].values)
    peaks = _peaks(by_tof.values, tof, 2, apart=0.1 * difc[0])
    np.testing.assert_allclose(
        peaks, np.asarray(LINES) * difc[0], atol=2 * (tof[1] - tof[0])
    )


@pytest.mark.slow  # essdiffraction's pipeline, three jobs
def test_the_facility_ids_equal_livedatas_own_powder_on_the_same_events(run):
    h, out, _ = run
    results = h.results_by_id(out)
    for facility, own in (
        ("focussed_data_dspacing", "focussed_dspacing"),
        ("focussed_data_dspacing_two_theta", "focussed_dspacing_two_theta"),
        ("i_of_dspacing", "i_of_dspacing"),
        ("i_of_dspacing_two_theta", "i_of_dspacing_two_theta"),
    ):
        theirs = results[("dream/powder/1", BANK, own)]
        ours = results[(VANADIUM, BANK, facility)]
        assert ours.dims == theirs.dims and ours.unit == theirs.unit
        assert np.nansum(theirs.values) > 0
        np.testing.assert_allclose(ours.values, theirs.values, rtol=1e-9)
        plain = results.get((PLAIN, BANK, facility))
        if plain is not None:
            np.testing.assert_allclose(plain.values, theirs.values, rtol=1e-9)


@pytest.mark.slow  # essdiffraction's pipeline, three jobs
def test_no_vanadium_run_is_said_in_the_jobs_heartbeat(run):
    h, out, jobs = run
    last = {s.job_id: s for s in h.statuses(out + h.next_heartbeat())}
    assert "no vanadium run" in last[jobs[VANADIUM]].warning
    assert last[jobs[PLAIN]].warning is None


def test_params_in_the_facilitys_units_and_scales():
    params = PowderWorkflowParams.model_validate(
        {
            "dspacing_edges": {"start": 0.1, "stop": 0.3, "num_bins": 4,
                               "scale": "log", "unit": "nm"},
            "two_theta_edges": {"start": 30, "stop": 150, "num_bins": 2,
                                "unit": "deg"},
            "wavelength_range": {"start": 0.11, "stop": 0.45, "unit": "nm"},
            "instrument_configuration": {"value": "high_resolution"},
        }
    )  # fmt: skip
    bins = powder_bins(params)
    np.testing.assert_allclose(
        bins.dspacing.to(unit="angstrom").values, np.geomspace(1.0, 3.0, 5)
    )
    np.testing.assert_allclose(
        bins.two_theta.to(unit="rad").values, np.deg2rad([30, 90, 150])
    )
    assert bins.wavelength_keep == pytest.approx((1.1, 4.5))
    assert bins.setting is ChopperSetting.HIGH_RESOLUTION
    with pytest.raises(ValueError, match="start > 0"):
        powder_bins(
            params.model_copy(
                update={"dspacing_edges": params.dspacing_edges.model_copy(
                    update={"start": 0.0})}
            )
        )  # fmt: skip


@pytest.mark.slow  # essdiffraction's pipeline twice
def test_log_scaled_d_bins_in_nm_give_essdiffractions_own_result(dream_lookup_table):
    """The kernel bins into log-scaled edges as essdiffraction's per-event chain
    does, and the lines are where they are, in nm."""
    params = PowderWorkflowParams.model_validate(
        {"dspacing_edges": {"start": 0.1, "stop": 0.3, "num_bins": 300,
                            "scale": "log", "unit": "nm"}}
    )  # fmt: skip
    context = WorkflowContext(
        "dream",
        JobId(source_name=BANK),
        params,
        {"cave_monitor": banks.MONITOR_CAVE},
    )
    ours = make_powder_reduction(context, vanadium=True)
    theirs = make_powder_reduction(context, vanadium=True, per_event_kernel=False)
    rng = np.random.default_rng(9)
    bank = geometry().bank(BANK)
    for k in range(2):
        pulses = [fake.powder_events(bank, 1500, rng=rng, d_lines=LINES)]
        monitor = [fake.monitor_events(300, rng=rng)]
        data = {
            BANK: nx_events(pulses * 14, detector=True, first_pulse=14 * k),
            "cave_monitor": nx_events(monitor * 14, detector=False, first_pulse=14 * k),
        }
        ours.accumulate(data, **window(14 * k))
        theirs.accumulate(data, **window(14 * k))
    a, b = ours.finalize(), theirs.finalize()
    assert set(a) == set(b) == {*FOCUSSED, *NORMALISED}
    for name in a:
        assert a[name].dims == b[name].dims
        expected = np.nan_to_num(b[name].values)
        assert expected.sum() > 0
        np.testing.assert_allclose(
            np.nan_to_num(a[name].values),
            expected,
            rtol=2e-5,
            atol=1e-6 * expected.max(),
        )
    i_of_d = a["focussed_data_dspacing"]
    assert str(i_of_d.coords["dspacing"].unit) == "nm"
    edges = i_of_d.coords["dspacing"].values
    np.testing.assert_allclose(edges, np.geomspace(0.1, 0.3, 301))
    peaks = _peaks(i_of_d.values, _centres(edges), 2, apart=0.01)
    np.testing.assert_allclose(peaks, np.asarray(LINES) / 10, rtol=0.01)
