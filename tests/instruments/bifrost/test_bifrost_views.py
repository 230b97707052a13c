"""BIFROST's detector view in time of flight and incident wavelength (indirect
geometry): a quasi-elastic sample centres each arc on its final energy."""

import numpy as np
import pytest

from livedata.core.events import DetectorEvents
from livedata.core.timestamp import Timestamp
from livedata.instruments import get_instrument
from livedata.instruments.bifrost import banks, fake
from livedata.instruments.bifrost.conversions import secondary_paths
from livedata.instruments.bifrost.layout import layout
from tests.instruments.science_harness import factory_workflow

WINDOW = {"start_time": Timestamp(0), "end_time": Timestamp(1)}
BIFROST = get_instrument("bifrost")
SPEC = next(s for s in BIFROST.workflows.specs() if s.name == "detector_arc_channel")


def _view(params: dict):
    return factory_workflow("bifrost", SPEC.name, banks.UNIFIED.name, params)[1]


def _arc_events(arc: int, n: int = 2_000) -> DetectorEvents:
    rng = np.random.default_rng(arc)
    parts = [fake.triplet_events(arc, c, n, rng=rng) for c in range(banks.N_CHANNEL)]
    return DetectorEvents(
        np.concatenate([p.pixel_id for p in parts]),
        np.concatenate([p.time_of_arrival for p in parts]),
    )


def _median(params: dict, arc: int, dim: str) -> float:
    """Median of the spectrum: the fake's E_i ~ N(E_f, 0.3 meV) is symmetric, so
    the median of any monotonic function of E_i sits at its value at E_f."""
    view = _view(params)
    view.accumulate({banks.UNIFIED.name: [_arc_events(arc)]}, **WINDOW)
    spectrum = view.finalize()["spectrum_current"]
    edges = spectrum.coords[dim].values
    cumulative = np.cumsum(spectrum.values) / spectrum.values.sum()
    return float(np.interp(0.5, cumulative, edges[1:]))


@pytest.mark.parametrize("arc", range(banks.N_ARC))
def test_incident_wavelength_centres_on_the_arcs_final_wavelength(arc):
    params = {
        "coordinate_mode": "wavelength",
        "wavelength_edges": {"start": 3.0, "stop": 7.0, "num_bins": 400},
    }
    final = 9.0446 / np.sqrt(banks.ARC_ENERGIES_MEV[arc])  # Å, lambda = h / sqrt(2 m E)
    assert _median(params, arc, "wavelength") == pytest.approx(final, rel=0.005)


@pytest.mark.parametrize("arc", [0, 4])
def test_time_of_flight_centres_on_the_whole_elastic_flight(arc):
    positions = layout().bank(banks.UNIFIED.name).positions[arc]
    l2 = secondary_paths(positions).mean()
    speed = 437.39 * np.sqrt(banks.ARC_ENERGIES_MEV[arc])
    expected_ms = (banks.SOURCE_TO_SAMPLE_M + l2) / speed * 1e3
    # The default tof bins cover BIFROST's flights, beyond one pulse period.
    median = _median({"coordinate_mode": "time_of_flight"}, arc, "time_of_flight")
    assert median == pytest.approx(expected_ms, rel=0.005)


@pytest.mark.parametrize("mode", ["time_of_arrival", "time_of_flight", "wavelength"])
def test_every_event_is_counted_in_every_mode(mode):
    view = _view({"coordinate_mode": mode})
    events = [_arc_events(arc, 300) for arc in range(banks.N_ARC)]
    view.accumulate({banks.UNIFIED.name: events}, **WINDOW)
    out = view.finalize()
    total = sum(len(e) for e in events)
    assert out["cumulative"].sum().value == pytest.approx(total)
    assert out["spectrum_current"].sum().value == pytest.approx(total)
    assert out["cumulative"].shape == SPEC.outputs["cumulative"].shape
