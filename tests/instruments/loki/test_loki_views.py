"""LOKI detector views: counts conserved in every mode, the fake's wavelength band
where the lookup table says, positions from the geometry file."""

import numpy as np
import pytest

from livedata.core.timestamp import Timestamp
from livedata.instruments.loki import banks, fake
from livedata.instruments.loki.iofq import geometry
from livedata.instruments.loki.layout import layout
from livedata.workflows.detector_view_spec import DetectorViewParams
from livedata.workflows.neutron import flight_time_ns
from tests.instruments.geometry_helpers import register_moved_geometry
from tests.instruments.science_harness import factory_workflow

WINDOW = {"start_time": Timestamp(0), "end_time": Timestamp(1)}


def _view(name: str, source: str, params: DetectorViewParams):
    return factory_workflow("loki", name, source, params)


def _events(source: str, n: int = 30_000):
    return fake.sans_events(geometry().bank(source), n, rng=np.random.default_rng(3))


@pytest.mark.parametrize("mode", ["time_of_arrival", "time_of_flight", "wavelength"])
@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("detector_xy", "loki_detector_0"),
        ("detector_xy", "loki_detector_6"),
        ("rear_tube_pixel", "loki_detector_0"),
    ],
)
def test_views_conserve_counts_in_every_mode(name, source, mode):
    params = DetectorViewParams.model_validate(
        {
            "coordinate_mode": mode,
            "tof_edges": {"start": 0.0, "stop": 100.0},
            "wavelength_edges": {"start": 0.5, "stop": 12.0},
        }
    )
    spec, view = _view(name, source, params)
    events = _events(source)
    view.accumulate({source: [events]}, **WINDOW)
    out = view.finalize()
    assert out["cumulative"].shape == spec.outputs["cumulative"].shape
    assert out["cumulative"].sum().value == pytest.approx(len(events))
    assert out["spectrum_current"].sum().value == pytest.approx(len(events))


def _rear_spectrum(mode: str, edges: dict) -> tuple[np.ndarray, np.ndarray]:
    """(bin centres, counts) of 50,000 rear-bank events in ``mode``."""
    key = "wavelength_edges" if mode == "wavelength" else "tof_edges"
    params = DetectorViewParams.model_validate({"coordinate_mode": mode, key: edges})
    _, view = _view("detector_xy", banks.REAR.name, params)
    view.accumulate({banks.REAR.name: [_events(banks.REAR.name, 50_000)]}, **WINDOW)
    spectrum = view.finalize()["spectrum_current"]
    bounds = spectrum.coords[mode].values
    return 0.5 * (bounds[1:] + bounds[:-1]), spectrum.values


def test_wavelength_spectrum_covers_the_fake_band():
    """Events of 2-9 Å (emitted over the real pulse) bin into 2-9 Å."""
    centres, counts = _rear_spectrum(
        "wavelength", {"start": 0.5, "stop": 12.0, "num_bins": 115}
    )
    inside = (centres > 1.8) & (centres < 9.2)
    assert counts[inside].sum() > 0.99 * counts.sum()
    assert counts[(centres > 2.2) & (centres < 8.8)].min() > 0


def test_time_of_flight_is_the_band_over_the_flight_path():
    centres, counts = _rear_spectrum(
        "time_of_flight", {"start": 0.0, "stop": 100.0, "num_bins": 200}
    )
    l_total = banks.SOURCE_TO_SAMPLE_M + 5.0
    low, high = (flight_time_ns(lam, l_total) / 1e6 for lam in fake.WAVELENGTH_BAND)
    inside = (centres > 0.97 * low) & (centres < 1.03 * high)
    assert counts[inside].sum() > 0.99 * counts.sum()


def test_a_geometry_file_with_moved_pixels_moves_the_view(tmp_path, monkeypatch):
    def x_edges():
        _, view = _view("detector_xy", "loki_detector_3", DetectorViewParams())
        view.accumulate(
            {"loki_detector_3": [_events("loki_detector_3", 100)]}, **WINDOW
        )
        return view.finalize()["cumulative"].coords["x"].values

    before = x_edges()
    register_moved_geometry(
        "loki", "loki_detector_3", (0.2, 0.0, 0.0), tmp_path, monkeypatch
    )
    assert geometry().bank("loki_detector_3").positions[:, 0].min() > (
        layout().bank("loki_detector_3").positions[..., 0].min() + 0.19
    )
    np.testing.assert_allclose(x_edges(), before + 0.2, atol=0.01)
