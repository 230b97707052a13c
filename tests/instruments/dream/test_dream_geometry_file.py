"""DREAM's services take pixel positions from the registered geometry file."""

import numpy as np
import pytest
from dream_helpers import nx_events, window

from livedata.core.events import DetectorEvents
from livedata.geometry.detector_source import NeXusDetectorSource
from livedata.instruments.dream import banks, fake
from livedata.instruments.dream.layout import layout
from livedata.instruments.dream.powder_spec import PowderParams
from livedata.workflows.detector_view_spec import DetectorViewParams
from tests.instruments.geometry_helpers import register_moved_geometry
from tests.instruments.science_harness import factory_workflow

MANTLE = banks.MANTLE.name


def _job(name: str, source: str, params, aux=None):
    return factory_workflow("dream", name, source, params, aux=aux)[1]


def _mantle_z_edges() -> np.ndarray:
    view = _job("mantle_view", MANTLE, DetectorViewParams())
    rng = np.random.default_rng(0)
    events = fake.powder_events(layout().bank(MANTLE), 1000, rng=rng)
    view.accumulate({MANTLE: [events]}, **window(0))
    return view.finalize()["cumulative"].coords["z"].values


def test_the_geometry_file_is_read_and_made_locally_when_missing(tmp_path):
    geometry = NeXusDetectorSource("dream").load()
    assert geometry.path.name == "geometry-dream-2025-01-01.nxs"
    np.testing.assert_allclose(
        geometry.bank(MANTLE).positions, layout().bank(MANTLE).positions, atol=1e-9
    )


def test_a_file_with_moved_pixels_moves_the_view(tmp_path, monkeypatch):
    before = _mantle_z_edges()
    register_moved_geometry("dream", MANTLE, (0.0, 0.0, 0.5), tmp_path, monkeypatch)
    after = _mantle_z_edges()
    # Edges follow the (noisy) projected pixels: shifted to within millimetres.
    np.testing.assert_allclose(after, before + 0.5, atol=0.01)


@pytest.mark.slow
def test_a_file_with_moved_pixels_moves_the_powder_lines(tmp_path, monkeypatch):
    """Events from the true geometry, reduced with a mantle believed 1 m further
    downstream: the 2theta of every pixel shrinks, so d = lambda / (2 sin theta)
    grows. The line at 2 Å must leave its bin for larger d."""
    register_moved_geometry("dream", MANTLE, (0.0, 0.0, 1.0), tmp_path, monkeypatch)
    workflow = _job("powder", MANTLE, PowderParams(), {"monitor": banks.MONITOR_CAVE})
    rng = np.random.default_rng(2)
    truth = layout().bank(MANTLE)
    pulses = [
        fake.powder_events(truth, 3000, rng=rng, d_lines=(2.0,)) for _ in range(14)
    ]
    monitor = [fake.monitor_events(500, rng=rng) for _ in range(14)]
    workflow.accumulate(
        {
            MANTLE: nx_events(
                [DetectorEvents(p.pixel_id, p.time_of_arrival) for p in pulses],
                detector=True,
            ),
            "monitor": nx_events(monitor, detector=False),
        },
        **window(0),
    )
    i_of_d = workflow.finalize()["i_of_dspacing"]
    edges = i_of_d.coords["dspacing"].values
    centres = 0.5 * (edges[1:] + edges[:-1])
    values = np.nan_to_num(i_of_d.values)
    mean_d = (centres * values).sum() / values.sum()
    assert mean_d > 2.1
