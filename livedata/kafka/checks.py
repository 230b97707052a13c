"""What an adapter checks before it trusts a decoded record (issue 11).

A FlatBuffer carries its vectors' lengths, shapes and dtypes separately from
the data, so a crafted or broken message can claim anything: an ev44 with more
times of flight than pixel ids would make the histogram kernel read past the
pixel buffer. Every violation raises :class:`InvalidInput` with a short
``reason``; the adapter chain drops the record and counts it as
``invalid_input:<reason>`` (logged on the first of each reason).

Bounds (documented in README "Hostile input"):

- ev44: ``pixel_id`` and ``time_of_flight`` of equal length (a monitor may send
  no pixel ids), integer pixel ids, numeric times.
- ad00: a 2-D numeric frame of at most ``MAX_AREA_PIXELS`` pixels.
- da00: numeric signal whose size matches its shape.
- ROI requests: at most ``MAX_ROI_POINTS`` points in one request
  (8 ROIs, each polygon at most ``MAX_POLYGON_VERTICES`` vertices).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_AREA_PIXELS = 1 << 26  # 8192 x 8192
MAX_POLYGON_VERTICES = 1000
MAX_ROI_POINTS = 4 * 2 + 4 * MAX_POLYGON_VERTICES


class InvalidInput(ValueError):
    """A record that decodes but cannot be trusted; ``reason`` names the check."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def _numeric(array: np.ndarray) -> bool:
    return array.dtype.kind in "iuf"


def check_events(pixel_id: Any, time_of_flight: Any, *, pixels_optional: bool) -> None:
    """The two ev44 vectors describe the same events."""
    tof = np.asarray(time_of_flight)
    pix = np.asarray(pixel_id)
    if tof.ndim != 1 or not _numeric(tof):
        raise InvalidInput("ev44_tof_dtype", f"time_of_flight {tof.dtype}/{tof.ndim}d")
    if pixels_optional and pix.size == 0:
        return
    if pix.ndim != 1 or pix.dtype.kind not in "iu":
        raise InvalidInput("ev44_pixel_dtype", f"pixel_id {pix.dtype}/{pix.ndim}d")
    if len(pix) != len(tof):
        raise InvalidInput(
            "ev44_length_mismatch",
            f"{len(pix)} pixel ids but {len(tof)} times of flight",
        )


def check_frame(values: np.ndarray) -> None:
    """An ad00 frame: 2-D, numeric, of a bounded size."""
    if values.ndim != 2:
        raise InvalidInput("ad00_shape", f"frame has {values.ndim} dims, expected 2")
    if not _numeric(values):
        raise InvalidInput("ad00_dtype", f"frame dtype {values.dtype}")
    if values.size > MAX_AREA_PIXELS:
        raise InvalidInput(
            "ad00_too_large", f"{values.size} pixels > {MAX_AREA_PIXELS}"
        )


def check_da00(variables: list[Any]) -> None:
    """Every da00 variable's data holds exactly the elements its shape claims."""
    for var in variables:
        data = var.data
        if isinstance(data, str):
            continue  # _decode says which variable holds a string
        size = int(np.asarray(data).size)
        claimed = int(np.prod([int(s) for s in var.shape])) if var.shape else 1
        if size != claimed or (var.axes and len(var.axes) != len(var.shape)):
            raise InvalidInput(
                "da00_shape",
                f"variable {var.name!r}: {size} values for shape {tuple(var.shape)}"
                f" and axes {tuple(var.axes or ())}",
            )


def check_roi_size(variables: list[Any]) -> None:
    """An ROI request small enough to select pixels in milliseconds."""
    for var in variables:
        size = int(np.asarray(var.data).size) if not isinstance(var.data, str) else 0
        if size > MAX_ROI_POINTS:
            raise InvalidInput(
                "roi_too_large", f"{var.name!r} has {size} points > {MAX_ROI_POINTS}"
            )
