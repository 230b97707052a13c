"""Non-finite inputs are masked and counted, never accumulated (issue 11)."""

from __future__ import annotations

import numpy as np
import scipp as sc

from livedata.core.events import LogValue
from livedata.core.finite import mask_nonfinite


def test_nan_pixels_of_a_frame_become_zero_in_a_copy() -> None:
    frame = sc.DataArray(
        sc.array(dims=["y", "x"], values=np.ones((4, 4)), unit="counts")
    )
    frame.values[1, 2] = np.nan
    frame.values[3, 3] = np.inf
    clean, count = mask_nonfinite(frame)
    assert count == 2
    assert np.isfinite(clean.values).all()
    assert clean.values.sum() == 14
    assert np.isnan(frame.values[1, 2])  # the message's own value is untouched


def test_nan_variance_is_masked_with_its_value() -> None:
    da = sc.DataArray(
        sc.array(dims=["t"], values=[1.0, 2.0], variances=[1.0, np.nan], unit="counts")
    )
    clean, count = mask_nonfinite(da)
    assert count == 1
    assert clean.values.tolist() == [1.0, 0.0]
    assert clean.variances.tolist() == [1.0, 0.0]


def test_finite_and_integer_values_pass_as_they_are() -> None:
    da = sc.DataArray(sc.array(dims=["t"], values=[1, 2], unit="counts"))
    assert mask_nonfinite(da) == (da, 0)
    log = LogValue(1, 2.5)
    assert mask_nonfinite(log) == (log, 0)


def test_nan_log_value_is_dropped() -> None:
    assert mask_nonfinite(LogValue(1, float("nan"))) == (None, 1)
    assert mask_nonfinite(LogValue(1, np.array([1.0, np.inf])))[0] is None
