"""Area detector view: cumulative and current images of dense camera frames (F4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipp as sc

from ..core.timestamp import Timestamp
from .area_detector_spec import AREA_DIMS, AreaDetectorParams


class AreaDetectorViewWorkflow:
    """Input: the sum of a batch's frames (dims dim_0, dim_1); window folded lazily."""

    def __init__(
        self, *, source_name: str, shape: tuple[int, int], params: AreaDetectorParams
    ) -> None:
        factor = params.downsample
        if shape[0] % factor or shape[1] % factor:
            raise ValueError(f"downsample {factor} does not divide the shape {shape}")
        self._source = source_name
        self._factor = factor
        self._shape = (shape[0] // factor, shape[1] // factor)
        self._window = np.zeros(self._shape)
        self._cumulative = np.zeros(self._shape)
        self._published = False

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        if self._published:
            self._cumulative += self._window
            self._window[...] = 0
            self._published = False
        frame = data.get(self._source)
        if frame is None:
            return
        values = np.asarray(frame.values, dtype=float)
        f = self._factor
        if values.shape != (self._shape[0] * f, self._shape[1] * f):
            raise ValueError(
                f"frame shape {values.shape} does not match the configured "
                f"{(self._shape[0] * f, self._shape[1] * f)}"
            )
        if f > 1:
            values = values.reshape(self._shape[0], f, self._shape[1], f).sum(
                axis=(1, 3)
            )
        self._window += values

    def finalize(self) -> dict[str, sc.DataArray]:
        self._published = True
        cumulative = self._cumulative + self._window
        return {
            "cumulative": self._image(cumulative),
            "current": self._image(self._window.copy()),
            "counts_total": sc.DataArray(
                sc.scalar(float(self._window.sum()), unit="counts")
            ),
        }

    def clear(self) -> None:
        self._window[...] = 0
        self._cumulative[...] = 0
        self._published = False

    def _image(self, values: np.ndarray) -> sc.DataArray:
        coords = {
            # unit None (pixel index), as the spec declares (G7)
            dim: sc.array(dims=[dim], values=np.arange(size) * self._factor, unit=None)
            for dim, size in zip(AREA_DIMS, self._shape, strict=True)
        }
        return sc.DataArray(
            sc.array(dims=list(AREA_DIMS), values=values, unit="counts"), coords=coords
        )
