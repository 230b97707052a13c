"""loki/i_of_q's per-event kernel gives esssans's own I(Q) on the same events."""

import numpy as np
import pytest

from livedata.core.timestamp import Timestamp
from livedata.instruments.loki.iofq import make_iofq_workflow
from livedata.instruments.loki.iofq_spec import IofQParams
from tests.instruments.loki.test_loki_iofq import inputs

pytestmark = pytest.mark.slow  # esssans's pipeline on the rear bank, twice


def _both(params: IofQParams, bank: str):
    data = inputs(params, bank, events_per_pulse=3000)
    results = []
    for kernel in (True, False):
        wf = make_iofq_workflow(bank, params, per_event_kernel=kernel)
        for k in range(2):  # two windows: cumulative and latest-window outputs
            wf.accumulate(
                dict(data), start_time=Timestamp(k), end_time=Timestamp(k + 1)
            )
        results.append(wf.finalize())
    return results


@pytest.mark.parametrize(
    ("bank", "params"),
    [
        ("loki_detector_0", IofQParams()),
        (
            "loki_detector_3",
            IofQParams.model_validate(
                {
                    "q_bins": {"start": 0.01, "stop": 0.5, "num_bins": 60, "log": True},
                    "correct_transmission": False,
                }
            ),
        ),
    ],
)
def test_every_output_matches_esssans(bank, params):
    ours, theirs = _both(params, bank)
    assert set(ours) == set(theirs)
    compared = 0
    for name, expected in theirs.items():
        if name.startswith("_"):
            continue
        got = ours[name]
        assert got.dims == expected.dims
        assert got.unit == expected.unit
        assert set(got.masks) == set(expected.masks)
        # esssans sums float32 event weights; the kernel sums in float64.
        np.testing.assert_allclose(
            np.nan_to_num(got.values), np.nan_to_num(expected.values), rtol=1e-6
        )
        compared += 1
    assert compared == 4
    assert np.nansum(ours["i_of_q"].values) > 0


def test_without_monitors_only_the_labelled_unnormalised_counts_come_out():
    """The monitors are optional aux inputs: no error, and no normalised I(Q)
    pretending to be one, until they deliver."""
    params = IofQParams()
    bank = "loki_detector_0"
    data = inputs(params, bank, events_per_pulse=2000)
    wf = make_iofq_workflow(bank, params)
    detector_only = {k: v for k, v in data.items() if "monitor" not in k}
    wf.accumulate(detector_only, start_time=Timestamp(0), end_time=Timestamp(1))
    partial = wf.finalize()
    assert set(partial) == {"counts_q"}
    counts = partial["counts_q"]
    assert counts.unit == "counts" and counts.dims == ("Q",)
    assert counts.sum().value > 0
    wf.accumulate(dict(data), start_time=Timestamp(1), end_time=Timestamp(2))
    full = wf.finalize()
    assert {"i_of_q", "i_of_q_current", "transmission", "counts_q"} <= set(full)
    # Both windows' events are in the cumulative counts.
    assert full["counts_q"].sum().value > 1.9 * counts.sum().value
