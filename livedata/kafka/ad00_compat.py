"""ad00 camera frames -> scipp (one way: livedata never produces ad00 except in fakes)."""

from __future__ import annotations

import numpy as np
import scipp as sc

AREA_DIMS = ("dim_0", "dim_1")


def ad00_to_scipp(frame) -> sc.DataArray:
    """A frame from ``deserialise_ad00`` as a 2-D DataArray of counts."""
    from .checks import check_frame

    values = np.asarray(frame.data)
    check_frame(values)
    return sc.DataArray(
        sc.array(dims=list(AREA_DIMS), values=values.astype(np.float64), unit="counts")
    )
