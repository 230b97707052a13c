"""dream/powder: fake powder lines come out of the real reduction where they were put."""

import numpy as np
import pytest
import scipp as sc
from dream_helpers import nx_events, window

from livedata.instruments.dream import banks, fake, specs
from livedata.instruments.dream.layout import layout
from livedata.instruments.dream.powder_spec import PowderParams
from tests.instruments.science_harness import factory_workflow

pytestmark = pytest.mark.slow  # builds essdiffraction's pipeline (a few seconds)

D_LINES = (1.5, 2.0)


def _powder_workflow(source: str, params: PowderParams):
    aux = {"monitor": banks.MONITOR_CAVE}
    return factory_workflow("dream", specs.powder.name, source, params, aux=aux)[1]


def _feed(workflow, source: str, rng, *, n_windows: int = 2, per_pulse: int = 4000):
    bank = layout().bank(source)
    for k in range(n_windows):
        pulses = [
            fake.powder_events(bank, per_pulse, rng=rng, d_lines=D_LINES)
            for _ in range(14)
        ]
        monitor = [fake.monitor_events(500, rng=rng) for _ in range(14)]
        workflow.accumulate(
            {
                source: nx_events(pulses, detector=True, first_pulse=14 * k),
                "monitor": nx_events(monitor, detector=False, first_pulse=14 * k),
            },
            **window(14 * k),
        )


def _peaks(da: sc.DataArray, n: int) -> np.ndarray:
    edges = da.coords["dspacing"].values
    centres = 0.5 * (edges[1:] + edges[:-1])
    values = np.nan_to_num(da.values)
    found = []
    for index in np.argsort(values)[::-1]:
        if all(abs(centres[index] - f) > 0.1 for f in found):
            found.append(centres[index])
        if len(found) == n:
            break
    return np.sort(found)


@pytest.fixture(scope="module")
def mantle_outputs(dream_lookup_table):
    params = PowderParams.model_validate(
        {"dspacing_edges": {"start": 0.5, "stop": 3.0, "num_bins": 250}}
    )
    workflow = _powder_workflow(banks.MANTLE.name, params)
    assert workflow.finalize() == {}  # no result before data
    _feed(workflow, banks.MANTLE.name, np.random.default_rng(7))
    return workflow.finalize(), workflow


def test_i_of_d_peaks_at_the_fake_lines(mantle_outputs):
    outputs, _ = mantle_outputs
    i_of_d = outputs["i_of_dspacing"]
    assert i_of_d.dims == ("dspacing",)
    bin_width = 2.5 / 250
    np.testing.assert_allclose(_peaks(i_of_d, 2), D_LINES, atol=2 * bin_width)
    # Almost all intensity sits in the two lines.
    values = np.nan_to_num(i_of_d.values)
    centres = i_of_d.coords["dspacing"].values[:-1] + bin_width / 2
    near = np.zeros_like(values, dtype=bool)
    for d in D_LINES:
        near |= np.abs(centres - d) < 3 * bin_width
    assert values[near].sum() > 0.95 * values.sum()


def test_i_of_d_two_theta_is_finite_and_consistent(mantle_outputs):
    outputs, _ = mantle_outputs
    two_d = outputs["i_of_dspacing_two_theta"]
    assert set(two_d.dims) == {"two_theta", "dspacing"}
    assert np.isfinite(two_d.values).all()
    assert two_d.sum().value > 0
    # Mantle counts only in its 2theta range (about 45-135 deg).
    per_angle = two_d.sum("dspacing")
    edges = np.rad2deg(per_angle.coords["two_theta"].values)
    centres = 0.5 * (edges[1:] + edges[:-1])
    hit = centres[per_angle.values > 0]
    assert hit.min() > 40 and hit.max() < 140


def test_finalize_does_not_clear_and_clear_does(mantle_outputs):
    outputs, workflow = mantle_outputs
    again = workflow.finalize()
    assert sc.identical(again["focussed_dspacing"], outputs["focussed_dspacing"])
    workflow.clear()
    assert workflow.finalize() == {}


def test_backward_endcap_peaks_too(dream_lookup_table):
    source = banks.ENDCAP_BACKWARD.name
    workflow = _powder_workflow(source, PowderParams())
    _feed(workflow, source, np.random.default_rng(3), n_windows=1)
    i_of_d = workflow.finalize()["i_of_dspacing"]
    edges = i_of_d.coords["dspacing"].values
    np.testing.assert_allclose(
        _peaks(i_of_d, 2), D_LINES, atol=2 * (edges[1] - edges[0])
    )
