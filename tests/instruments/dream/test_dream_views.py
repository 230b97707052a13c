"""DREAM detector views: every event lands in the image, in TOA, TOF and wavelength."""

import numpy as np
import pytest
from dream_helpers import window
from streaming_data_types import deserialise_ev44

from livedata.core.events import DetectorEvents
from livedata.instruments.dream import banks, fake
from livedata.instruments.dream.layout import layout
from livedata.workflows.detector_view_spec import DetectorViewParams
from tests.instruments.science_harness import factory_workflow

VIEWS = [
    ("mantle_view", banks.MANTLE.name, ("z", "arc_length")),
    ("mantle_strip_sector", banks.MANTLE.name, ("strip", "sector")),
    ("endcap_backward_view", banks.ENDCAP_BACKWARD.name, ("y", "x")),
    ("endcap_forward_view", banks.ENDCAP_FORWARD.name, ("y", "x")),
    ("high_resolution_view", banks.HIGH_RESOLUTION.name, ("y", "x")),
]


def _view(name: str, source: str, params: DetectorViewParams):
    return factory_workflow("dream", name, source, params)


def _events(source: str, n: int) -> DetectorEvents:
    rng = np.random.default_rng(5)
    ev = fake.powder_events(layout().bank(source), n, rng=rng, background=0.3)
    return DetectorEvents(ev.pixel_id, ev.time_of_arrival)


@pytest.mark.parametrize("mode", ["time_of_arrival", "time_of_flight", "wavelength"])
@pytest.mark.parametrize(("name", "source", "dims"), VIEWS)
def test_view_conserves_counts(name, source, dims, mode, dream_lookup_table):
    params = DetectorViewParams.model_validate(
        {"coordinate_mode": mode, "tof_edges": {"start": 0.0, "stop": 250.0}}
    )
    spec, view = _view(name, source, params)
    events = _events(source, 20_000)
    view.accumulate({source: [events]}, **window(0))
    out = view.finalize()
    image = out["cumulative"]
    assert image.dims == dims
    assert image.shape == spec.outputs["cumulative"].shape
    assert image.sum().value == pytest.approx(len(events))
    assert out["counts_total"].value == len(events)
    assert out["spectrum_current"].sum().value == pytest.approx(len(events))


@pytest.mark.parametrize("mode", ["wavelength", "time_of_flight"])
def test_converted_spectrum_shows_the_lines(mode, dream_lookup_table):
    """Mantle pixels at one angle: the two d lines are two peaks in wavelength and
    in time of flight (tof = wavelength * L * m_n / h)."""
    params = DetectorViewParams.model_validate(
        {
            "coordinate_mode": mode,
            "wavelength_edges": {"start": 0.5, "stop": 5.0, "num_bins": 450},
            "tof_edges": {"start": 0.0, "stop": 150.0, "num_bins": 1500},
        }
    )
    _, view = _view("mantle_view", banks.MANTLE.name, params)
    bank = layout().bank(banks.MANTLE.name)
    middle = bank.shape[bank.dims.index("strip")] // 2
    ring = bank.detector_number[:, :, :, middle, :].ravel()  # z ~ 0: 2theta ~ 90 deg
    rng = np.random.default_rng(1)
    pixels = rng.choice(ring, 5000)
    index = np.searchsorted(bank.detector_number.ravel(), pixels)
    positions = bank.positions.reshape(-1, 3)[index]
    half = np.arccos(positions[:, 2] / np.linalg.norm(positions, axis=1)) / 2
    d = rng.choice(np.array([1.5, 2.0]), pixels.size)
    lam = 2 * d * np.sin(half)
    from livedata.instruments.dream.wavelength import time_of_arrival_ns

    toa = time_of_arrival_ns(76.55 + np.linalg.norm(positions, axis=1), lam)
    view.accumulate(
        {banks.MANTLE.name: DetectorEvents(pixels, toa.astype(np.int32))}, **window(0)
    )
    spectrum = view.finalize()["spectrum_current"]
    edges = spectrum.coords[mode].values
    centres = 0.5 * (edges[1:] + edges[:-1])
    top = centres[np.argsort(spectrum.values)[-2:]]
    expected = 2 * np.array([1.5, 2.0]) * np.sin(np.deg2rad(45))
    if mode == "time_of_flight":  # Å -> ms over the mean flight path
        l_total = 76.55 + np.linalg.norm(positions, axis=1).mean()
        expected = expected * 1e-10 * l_total / 3.956034e-7 * 1e3
    # A linear map per pixel: good to a few percent, enough for a view.
    np.testing.assert_allclose(np.sort(top), expected, rtol=0.05)


def test_make_dream_events_gives_real_ev44():
    messages = fake.make_dream_events(
        banks.MANTLE.name, n_pulses=3, events_per_pulse=100, first_pulse_ns=10**18
    )
    assert len(messages) == 3
    times = []
    for t, payload in messages:
        decoded = deserialise_ev44(payload)
        assert decoded.source_name == banks.MANTLE.name
        assert decoded.reference_time[-1] == t
        assert decoded.pixel_id.size == 100
        assert np.isin(
            decoded.pixel_id, layout().bank(banks.MANTLE.name).detector_number
        ).all()
        assert (
            (decoded.time_of_flight >= 0) & (decoded.time_of_flight < 71_428_572)
        ).all()
        times.append(t)
    assert np.diff(times).tolist() == [71_428_571, 71_428_571]
