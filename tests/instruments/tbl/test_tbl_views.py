"""TBL event-detector views in every mode; the fake's band where the table says."""

import numpy as np
import pytest

from livedata.core.timestamp import Timestamp
from livedata.instruments.tbl import banks, fake
from livedata.workflows.detector_view_spec import DetectorViewParams
from tests.instruments.geometry_helpers import register_moved_geometry
from tests.instruments.science_harness import factory_workflow

WINDOW = {"start_time": Timestamp(0), "end_time": Timestamp(1)}
HE3 = banks.HE3_BANKS[0]
BANKS = [HE3, banks.MULTIBLADE]


VIEWS = {
    HE3.name: "he3_tube_pixel",
    banks.MULTIBLADE.name: "multiblade_blade_wire_strip",
}


def _view(source: str, params: DetectorViewParams):
    return factory_workflow("tbl", VIEWS[source], source, params)


@pytest.mark.parametrize("mode", ["time_of_arrival", "time_of_flight", "wavelength"])
@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.name)
def test_views_conserve_counts_in_every_mode(bank, mode):
    params = DetectorViewParams.model_validate({"coordinate_mode": mode})
    spec, view = _view(bank.name, params)
    events = fake.detector_events(bank, 20_000, rng=np.random.default_rng(1))
    view.accumulate({bank.name: [events]}, **WINDOW)
    out = view.finalize()
    assert out["cumulative"].shape == spec.outputs["cumulative"].shape
    assert out["cumulative"].sum().value == pytest.approx(len(events))
    assert out["spectrum_current"].sum().value == pytest.approx(len(events))


@pytest.mark.parametrize("bank", BANKS, ids=lambda b: b.name)
def test_wavelength_spectrum_is_the_fake_band(bank):
    """A flat 1-6 Å band emitted over the real pulse: flat within 1-6 Å."""
    params = DetectorViewParams.model_validate(
        {
            "coordinate_mode": "wavelength",
            "wavelength_edges": {"start": 0.5, "stop": 7.0, "num_bins": 65},
        }
    )
    _, view = _view(bank.name, params)
    events = fake.detector_events(bank, 100_000, rng=np.random.default_rng(2))
    view.accumulate({bank.name: [events]}, **WINDOW)
    spectrum = view.finalize()["spectrum_current"]
    edges = spectrum.coords["wavelength"].values
    centres = 0.5 * (edges[1:] + edges[:-1])
    inside = (centres > 0.9) & (centres < 6.1)
    assert spectrum.values[inside].sum() > 0.99 * spectrum.values.sum()
    core = spectrum.values[(centres > 1.3) & (centres < 5.7)]
    assert core.std() / core.mean() < 0.1


def test_a_geometry_file_with_moved_pixels_changes_the_wavelength(
    tmp_path, monkeypatch
):
    """The He3 tubes believed 1 m further away: the same events read as shorter
    wavelengths, by the ratio of the flight paths (30 m / 31 m)."""

    def mean_wavelength() -> float:
        params = DetectorViewParams.model_validate(
            {
                "coordinate_mode": "wavelength",
                "wavelength_edges": {"start": 0.5, "stop": 7.0, "num_bins": 650},
            }
        )
        _, view = _view(HE3.name, params)
        view.accumulate({HE3.name: [events]}, **WINDOW)
        spectrum = view.finalize()["spectrum_current"]
        edges = spectrum.coords["wavelength"].values
        centres = 0.5 * (edges[1:] + edges[:-1])
        return float((centres * spectrum.values).sum() / spectrum.values.sum())

    events = fake.detector_events(HE3, 50_000, rng=np.random.default_rng(3))
    before = mean_wavelength()
    register_moved_geometry("tbl", HE3.name, (0, 0, 1.0), tmp_path, monkeypatch)
    after = mean_wavelength()
    assert after / before == pytest.approx(30.0 / 31.0, rel=0.01)


def test_the_no_chopper_table_is_on_disk_once_and_spans_the_band():
    from livedata.config.data_dirs import FetchSettings
    from livedata.instruments.tbl.conversions import LOOKUP

    table = LOOKUP.table()
    assert LOOKUP.table() is table  # once per process
    assert LOOKUP.rows() is LOOKUP.rows()
    cache = FetchSettings.resolve().cache_dir
    assert list(cache.glob("wavelength-tbl-*.h5"))
    rows = LOOKUP.rows()
    assert rows.distances.min() <= 25.0 and rows.distances.max() >= 31.0
    lam = np.concatenate([row.wavelength for row in rows.rows])
    low, high = banks.WAVELENGTH_BAND
    assert lam.min() == pytest.approx(low, abs=0.05)
    assert lam.max() == pytest.approx(high, abs=0.05)
