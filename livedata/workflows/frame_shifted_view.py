"""A detector view whose events are moved into their frame before binning (E2).

Where choppers (or an indirect geometry) set the time origin and neutrons arrive
after the next pulse began, wavelength is not linear in the time of arrival within
the pulse; it is linear in ``(toa - shift[pixel]) mod period``. This wrapper
applies that per event and hands the shifted chunks to a ``DetectorViewWorkflow``
whose per-pixel linear map then holds. ``frame_shifted_detector_view`` builds
the views of DREAM, LOKI, TBL and BIFROST: wrapped in time-of-flight and
wavelength modes, as is in time of arrival.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipp as sc

from ..core.events import DetectorEvents
from ..core.timestamp import PULSE_PERIOD, Timestamp
from ..core.workflow import take_dropped_events
from .detector_view import DetectorViewWorkflow
from .detector_view_spec import DetectorViewParams
from .edges import CoordinateMode
from .projection import ScreenProjection


class FrameShiftedView:
    """Wraps a detector view: toa' = (toa - shift[pixel]) mod period per event.

    Pixel ids outside the view keep a shift of the nearest pixel; the view counts
    them as bad pixel ids as before. The view's ``toa_range`` applies to toa'.
    """

    def __init__(
        self, view: Any, source_name: str, shift_ns: np.ndarray, first_pixel_id: int
    ) -> None:
        self._view = view
        self._source = source_name
        self._shift = np.asarray(shift_ns, dtype=np.float64)
        self._first = first_pixel_id
        self._period = float(PULSE_PERIOD.ns)

    def _shifted(self, chunk: DetectorEvents) -> DetectorEvents:
        index = np.asarray(chunk.pixel_id, dtype=np.int64) - self._first
        np.clip(index, 0, self._shift.size - 1, out=index)
        toa = np.mod(chunk.time_of_arrival - self._shift[index], self._period)
        return DetectorEvents(chunk.pixel_id, toa)

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        chunks = data.get(self._source)
        if chunks is not None:
            if isinstance(chunks, DetectorEvents):
                chunks = (chunks,)
            data = {**data, self._source: [self._shifted(c) for c in chunks]}
        self._view.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, sc.DataArray]:
        return self._view.finalize()

    def clear(self) -> None:
        self._view.clear()

    @property
    def dropped_events(self) -> dict[str, int]:
        """The view's drops since creation (events outside it stay outside)."""
        return self._view.dropped_events

    def take_dropped_events(self) -> dict[str, int]:
        return dict(take_dropped_events(self._view))


def frame_shifted_detector_view(
    *,
    source_name: str,
    projection: ScreenProjection,
    params: DetectorViewParams,
    shift_ns: np.ndarray,
    wavelength: tuple[np.ndarray, np.ndarray],
    flight_path_m: np.ndarray,
    screen_unit: str | None = "m",
) -> DetectorViewWorkflow | FrameShiftedView:
    """A ``DetectorViewWorkflow`` with the per-pixel linear ``wavelength`` map of
    the shifted time; in time-of-arrival mode the events are binned as they came."""
    view = DetectorViewWorkflow(
        source_name=source_name,
        projection=projection,
        params=params,
        wavelength=wavelength,
        flight_path_m=flight_path_m,
        screen_unit=screen_unit,
    )
    if params.coordinate_mode is CoordinateMode.TIME_OF_ARRIVAL:
        return view
    return FrameShiftedView(view, source_name, shift_ns, projection.first_pixel_id)
