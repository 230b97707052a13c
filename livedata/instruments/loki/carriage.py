"""The detector carriage log as context of LOKI's rear-bank I(Q) (F5).

The rear bank rides on the carriage: the ``detector_carriage`` log is its distance
from the sample. It enters the pipeline as the context key ``DetectorCarriage``
and moves the bank through essreduce's ``DetectorPositionOffset``, so the
pixel positions, solid angles and the Q binning of the denominator follow it;
events accumulated before a move keep the Q they were binned with.

The service hands a job the whole NXlog whenever the log updated.
``CarriageContext`` passes on only the latest value, and only when it changed,
because every context update recomputes the bank's denominator (pixels x
wavelength bins, ~0.25 s for the rear bank, ``denominator.py``). essreduce's
StreamProcessor recomputes nodes between a context key and the targets at every
finalize unless they are targets, so the denominator is a hidden target
(``HIDDEN_PREFIX``), computed once per move and dropped from the published
outputs.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any, NewType

import scipp as sc
from ess.reduce.nexus.types import DetectorPositionOffset, SampleRun

from livedata.core.timestamp import Timestamp

from . import banks
from .iofq_spec import CARRIAGE_ROLE

logger = logging.getLogger(__name__)

DetectorCarriage = NewType("DetectorCarriage", sc.Variable)
# Moves smaller than this do not recompute the denominator.
TOLERANCE_M = 1e-4
# Outputs with this prefix are computed as targets but not published.
HIDDEN_PREFIX = "_"


def carriage_offset(carriage: DetectorCarriage) -> DetectorPositionOffset[SampleRun]:
    """The rear bank's shift from where the geometry file puts it (nominal)."""
    dz = carriage.to(unit="m", dtype="float64").value - banks.NOMINAL_CARRIAGE_M
    return DetectorPositionOffset[SampleRun](sc.vector([0.0, 0.0, dz], unit="m"))


def latest_value_m(log: Any) -> float:
    """The newest value of an NXlog (dim ``time``) or a scalar, in metres."""
    value = log.data if isinstance(log, sc.DataArray) else log
    if not isinstance(value, sc.Variable):
        raise TypeError(f"carriage log of type {type(log).__name__}")
    if value.ndim:
        value = value[value.dims[0], -1]
    return float(value.to(unit="m", dtype="float64").value)


class CarriageContext:
    """Wraps a workflow: NXlog of the carriage -> latest value, if it changed."""

    def __init__(self, workflow: Any) -> None:
        self._workflow = workflow
        self._current: float | None = None

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        if CARRIAGE_ROLE in data:
            data = dict(data)
            value = latest_value_m(data.pop(CARRIAGE_ROLE))
            if not math.isfinite(value):
                logger.warning("ignoring a non-finite carriage position %s", value)
            elif self._current is None or abs(value - self._current) > TOLERANCE_M:
                self._current = value
                data[CARRIAGE_ROLE] = sc.scalar(value, unit="m")
        if data:
            self._workflow.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, sc.DataArray]:
        outputs = self._workflow.finalize()
        return {k: v for k, v in outputs.items() if not k.startswith(HIDDEN_PREFIX)}

    def clear(self) -> None:
        self._workflow.clear()

    @property
    def carriage_m(self) -> float | None:
        """The position the reduction uses (``None`` before the first value)."""
        return self._current
