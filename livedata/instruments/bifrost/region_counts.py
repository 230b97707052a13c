"""BIFROST's facility ratemeter: counts in one region of one analyser arc (heavy).

The facility's ``bifrost/detector_ratemeter`` counts the events of the arc
picked by its final energy (``"5.0 meV"``) whose pixel along the arc (channel x
100 + pixel, its three tubes summed: 0..899) lies in ``[pixel_start,
pixel_stop)``, per window and since start. The window is folded into the total
lazily, so ``finalize`` can be called any number of times.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipp as sc

from livedata.core.events import DetectorEvents
from livedata.core.timestamp import Timestamp

from . import banks

ARC_LABELS = tuple(f"{energy:.1f} meV" for energy in banks.ARC_ENERGIES_MEV)


def region_mask(arc: str, pixel_start: int, pixel_stop: int) -> np.ndarray:
    """Per pixel of the unified detector (flat): inside the region or not."""
    if pixel_stop <= pixel_start:
        raise ValueError("region: pixel_stop must be greater than pixel_start")
    shape = banks.UNIFIED.shape
    arcs, _, channel, pixel = np.indices(shape)
    along = channel * banks.N_PIXEL + pixel
    inside = (
        (arcs == ARC_LABELS.index(arc)) & (along >= pixel_start) & (along < pixel_stop)
    )
    return inside.ravel()


def _counts(value: float) -> sc.DataArray:
    return sc.DataArray(sc.scalar(value, variance=value, unit="counts"))


class RegionCountsWorkflow:
    def __init__(self, *, source_name: str, mask: np.ndarray) -> None:
        self._source = source_name
        self._mask = mask
        self._window = 0.0
        self._total = 0.0
        self._published = False

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        if self._published:
            self._total += self._window
            self._window = 0.0
            self._published = False
        chunks = data.get(self._source, ())
        if isinstance(chunks, DetectorEvents):
            chunks = (chunks,)
        first = banks.UNIFIED.first_detector_number
        for chunk in chunks:
            index = np.asarray(chunk.pixel_id, dtype=np.int64) - first
            index = index[(index >= 0) & (index < self._mask.size)]
            self._window += float(np.count_nonzero(self._mask[index]))

    def finalize(self) -> dict[str, sc.DataArray]:
        self._published = True
        return {
            "detector_region_counts": _counts(self._window),
            "detector_region_counts_cumulative": _counts(self._total + self._window),
        }

    def clear(self) -> None:
        self._window = self._total = 0.0
        self._published = False
