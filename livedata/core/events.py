"""Raw values that adapters produce from wire messages; NumPy only, no scipp.

Event arrays are kept exactly as decoded (often read-only zero-copy views into the
Kafka message buffer) so that no per-event work happens before the histogram kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: clients that never see events skip NumPy
    import numpy as np


@dataclass(frozen=True, slots=True)
class DetectorEvents:
    """Events of one pulse (or several) of one detector: pixel id and time of arrival.

    ``time_of_arrival`` is in ns within the pulse (ev44 ``time_of_flight``).
    """

    pixel_id: np.ndarray
    time_of_arrival: np.ndarray

    def __len__(self) -> int:
        return len(self.time_of_arrival)


@dataclass(frozen=True, slots=True)
class MonitorEvents:
    """Monitor events: time of arrival in ns within the pulse.

    A pixelated monitor (LOKI's ``beam_monitor_m3``) also sends which of its
    pixels each event hit; ``pixel_id`` is ``None`` for a plain counter.
    """

    time_of_arrival: np.ndarray
    pixel_id: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.time_of_arrival)


@dataclass(frozen=True, slots=True)
class LogValue:
    """One slow-control reading (f144): a scalar or small array at a data time."""

    timestamp_ns: int
    value: float | int | np.ndarray
