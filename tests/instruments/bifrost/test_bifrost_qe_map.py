"""bifrost/qe_map: a quasi-elastic fake sample gives E ~ N(0, 0.3 meV) and, per
channel, |Q| = 2 k_f sin(theta) at the elastic line."""

import numpy as np
import pytest
import scipp as sc

from livedata.core.timestamp import PULSE_PERIOD, Timestamp
from livedata.instruments import get_instrument
from livedata.instruments.bifrost import banks, fake
from livedata.instruments.bifrost.layout import channel_two_theta_deg
from livedata.preprocessors.events import ToNXeventData
from tests.instruments.science_harness import (
    ServiceHarness,
    assert_outputs_match_spec,
    config,
    factory_workflow,
    start_ns,
)

BIFROST = get_instrument("bifrost")
SPEC = next(s for s in BIFROST.workflows.specs() if s.name == "qe_map")


def _workflow(params: dict | None = None):
    return factory_workflow("bifrost", "qe_map", banks.UNIFIED.name, params)[1]


def _events(triplets, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    acc = ToNXeventData()
    for i in range(3):
        for arc, channel in triplets:
            acc.add(
                Timestamp(i * PULSE_PERIOD.ns),
                fake.triplet_events(arc, channel, n, rng=rng),
            )
    return acc.get()


def _run(triplets, n=3000, params=None):
    wf = _workflow(params)
    wf.accumulate(
        {banks.UNIFIED.name: _events(triplets, n)},
        start_time=Timestamp(0),
        end_time=Timestamp(1),
    )
    return wf.finalize()


def _centres(edges: np.ndarray) -> np.ndarray:
    return 0.5 * (edges[1:] + edges[:-1])


def test_energy_transfer_is_the_fakes_quasi_elastic_line():
    triplets = [(arc, 4) for arc in range(banks.N_ARC)]
    qe = _run(triplets)["qe_map"]
    per_e = qe.sum("Q")
    e = _centres(per_e.coords["energy_transfer"].values)
    w = per_e.values
    mean = (e * w).sum() / w.sum()
    std = np.sqrt((w * (e - mean) ** 2).sum() / w.sum())
    assert abs(mean) < 0.03  # meV
    assert std == pytest.approx(fake.ENERGY_WIDTH_MEV, rel=0.1)
    assert qe.sum().value > 0.97 * 3 * 3000 * len(triplets)  # in range


@pytest.mark.parametrize(("arc", "channel"), [(0, 2), (4, 7)])
def test_elastic_q_is_two_k_sin_theta_of_the_channel(arc, channel):
    params = {
        "q_edges": {"start": 0.0, "stop": 2.5, "num_bins": 250},
        "energy_transfer_edges": {"start": -0.05, "stop": 0.05, "num_bins": 1},
    }
    qe = _run([(arc, channel)], params=params)["qe_map"]
    per_q = qe.sum("energy_transfer")
    q = _centres(per_q.coords["Q"].values)
    mean = (q * per_q.values).sum() / per_q.values.sum()
    k_f = np.sqrt(banks.ARC_ENERGIES_MEV[arc] / 2.0721)
    theta = np.deg2rad(channel_two_theta_deg(channel)) / 2
    assert mean == pytest.approx(2 * k_f * np.sin(theta), rel=0.02)


def test_service_publishes_the_q_e_map():
    h = ServiceHarness("bifrost", "data_reduction")
    assert h.start([config(SPEC, banks.UNIFIED.name)]) == ["ACK"]
    from tests.instruments.bifrost.test_bifrost_services import raw_data

    results = h.results(h.step(raw_data(start_ns())))
    assert_outputs_match_spec(SPEC, results, banks.UNIFIED.name)
    qe = results[("qe_map", banks.UNIFIED.name, "qe_map")]
    assert qe.sum().value > 0


def test_window_map_is_each_windows_counts_and_cumulative_their_sum():
    """One batch's counts feed both maps (computed once); each keeps its own sum."""
    wf = _workflow()
    for i, seed in enumerate((1, 2)):
        wf.accumulate(
            {banks.UNIFIED.name: _events([(0, 4), (3, 1)], 500, seed=seed)},
            start_time=Timestamp(i),
            end_time=Timestamp(i + 1),
        )
        out = wf.finalize()
        if i == 0:
            first = out["qe_map"].copy()
            assert sc.identical(out["qe_map_current"], first)
    assert sc.identical(out["qe_map"], first + out["qe_map_current"])
    assert out["qe_map_current"].sum().value > 0
    assert not sc.identical(out["qe_map_current"], first)


@pytest.mark.parametrize(
    "params",
    [
        None,
        {
            "q_edges": {"start": 0.5, "stop": 2.0, "num_bins": 37},
            "energy_transfer_edges": {"start": -1.0, "stop": 1.5, "num_bins": 53},
        },
    ],
)
def test_kernel_gives_the_scippneutron_conversion_on_the_same_events(params):
    from livedata.geometry.detector_source import NeXusDetectorSource
    from livedata.instruments.bifrost.qe_map import make_qe_map_workflow
    from livedata.instruments.bifrost.qe_map_spec import QEParams

    triplets = [(arc, ch) for arc in range(banks.N_ARC) for ch in (0, 4, 8)]
    events = _events(triplets, 2000, seed=5)
    qe_params = QEParams.model_validate(params or {})
    out = []
    for kernel in (True, False):
        wf = make_qe_map_workflow(
            banks.UNIFIED.name,
            qe_params,
            NeXusDetectorSource("bifrost").load(),
            per_event_kernel=kernel,
        )
        wf.accumulate(
            {banks.UNIFIED.name: events}, start_time=Timestamp(0), end_time=Timestamp(1)
        )
        out.append(wf.finalize())
    ours, reference = out
    for name in ("qe_map", "qe_map_current"):
        assert ours[name].sum().value > 0
        assert sc.identical(ours[name], reference[name])
