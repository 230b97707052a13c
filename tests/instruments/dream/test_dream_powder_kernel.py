"""dream/powder's per-event kernel gives essdiffraction's own result on the same events."""

import numpy as np
import pytest
import scipp as sc
from dream_helpers import nx_events, window

from livedata.instruments.dream import banks, fake
from livedata.instruments.dream.layout import layout
from livedata.instruments.dream.powder import TARGETS, make_powder_workflow
from livedata.instruments.dream.powder_spec import PowderParams

pytestmark = pytest.mark.slow  # builds essdiffraction's pipeline twice


def _windows(source: str, rng, n_windows: int = 2):
    bank = layout().bank(source)
    for k in range(n_windows):
        pulses = [
            fake.powder_events(bank, 1500, rng=rng, d_lines=(1.1, 1.6, 2.3))
            for _ in range(14)
        ]
        # A few events outside the bank and at odd times must be handled alike.
        pulses[0] = type(pulses[0])(
            np.concatenate([pulses[0].pixel_id, [0, 10**9]]).astype(np.int32),
            np.concatenate([pulses[0].time_of_arrival, [5, 71_000_000]]).astype(
                np.int32
            ),
        )
        monitor = [fake.monitor_events(300, rng=rng) for _ in range(14)]
        yield (
            {
                source: nx_events(pulses, detector=True, first_pulse=14 * k),
                "monitor": nx_events(monitor, detector=False, first_pulse=14 * k),
            },
            window(14 * k),
        )


def _both(source: str, params: PowderParams, seed: int):
    kernel = make_powder_workflow(source, params)
    library = make_powder_workflow(source, params, per_event_kernel=False)
    for data, times in _windows(source, np.random.default_rng(seed)):
        kernel.accumulate(data, **times)
        library.accumulate(data, **times)
    return kernel.finalize(), library.finalize()


def _assert_same(ours: sc.DataArray, theirs: sc.DataArray) -> None:
    assert ours.dims == theirs.dims
    assert ours.unit == theirs.unit
    assert set(ours.masks) == set(theirs.masks)
    for name in ("dspacing", "two_theta"):
        if name in theirs.coords:
            np.testing.assert_allclose(
                ours.coords[name].values, theirs.coords[name].values, rtol=1e-12
            )
    a = np.where(theirs.masks_any().values, 0, theirs.values) if theirs.masks else None
    expected = theirs.values if a is None else a
    got = (
        ours.values
        if not ours.masks
        else np.where(ours.masks_any().values, 0, ours.values)
    )
    assert np.nansum(expected) > 0
    np.testing.assert_allclose(
        np.nan_to_num(got),
        np.nan_to_num(expected),
        rtol=2e-5,
        atol=1e-6 * np.nanmax(expected),
    )


@pytest.mark.parametrize(
    ("source", "params"),
    [
        (banks.MANTLE.name, PowderParams()),
        (
            banks.ENDCAP_BACKWARD.name,
            PowderParams.model_validate(
                {
                    "dspacing_edges": {"start": 0.8, "stop": 2.6, "num_bins": 300},
                    "two_theta_edges": {"start": 100, "stop": 180, "num_bins": 16},
                    "wavelength_range": {"enabled": True, "start": 1.5, "stop": 4.0},
                }
            ),
        ),
    ],
)
def test_every_output_matches_essdiffraction(dream_lookup_table, source, params):
    ours, theirs = _both(source, params, seed=11)
    assert set(ours) == set(TARGETS)
    for name in TARGETS:
        _assert_same(ours[name], theirs[name])
