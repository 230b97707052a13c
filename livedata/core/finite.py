"""Non-finite input values: masked before they reach an accumulator (issue 11).

One NaN pixel in one camera frame would make a cumulative image NaN for the
rest of the job, one NaN bin a cumulative monitor total: the values are set to
zero (variances too), counted, and reported so the jobs fed by the stream can
warn. A log value that is not finite is dropped instead (a timeseries point of
NaN means nothing).
"""

from __future__ import annotations

from typing import Any

from .events import LogValue


def mask_nonfinite(value: Any) -> tuple[Any, int]:
    """``value`` with non-finite numbers zeroed (a copy if any), and how many.

    For a :class:`LogValue` that is not finite the result is ``None``.
    Arrays of events pass untouched (their times are integers).
    """
    import numpy as np

    if isinstance(value, LogValue):
        data = np.asarray(value.value)
        if data.dtype.kind in "fc" and not np.isfinite(data).all():
            return None, int((~np.isfinite(data)).sum())
        return value, 0
    values = getattr(value, "values", None)
    if not isinstance(values, np.ndarray) or values.dtype.kind not in "fc":
        return value, 0
    variances = getattr(value, "variances", None)
    bad = ~np.isfinite(values)
    if isinstance(variances, np.ndarray):
        bad |= ~np.isfinite(variances)
    count = int(bad.sum())
    if count == 0:
        return value, 0
    clean = value.copy()
    clean.values[bad] = 0
    if isinstance(variances, np.ndarray):
        clean.variances[bad] = 0
    return clean, count
