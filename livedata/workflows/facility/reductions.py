"""What the facility's reductions share on livedata's (heavy: scipp).

The facility's params give bins as ``start``/``stop``/``num_bins``/``scale``/
``unit``; livedata's reductions compute in their own units (Å, 1/Å, rad), and
the published coordinates are converted back to the unit the params asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import scipp as sc

from ...core.timestamp import Timestamp
from ...core.workflow import take_dropped_events
from . import params as fp
from .convert import scipp_unit


class FacilityEdges(Protocol):
    start: float
    stop: float
    num_bins: int
    scale: fp.Scale
    unit: str


def bin_edges(dim: str, edges: FacilityEdges) -> sc.Variable:
    """``num_bins`` bins from ``start`` to ``stop`` in the params' unit, evenly
    spaced, or logarithmically (``scale: log``, both bounds positive)."""
    name = f"{dim} bins"
    if edges.stop <= edges.start:
        raise ValueError(f"{name}: stop must be greater than start")
    unit = scipp_unit(edges.unit)
    n = edges.num_bins + 1
    if edges.scale is fp.Scale.LOG:
        if edges.start <= 0:
            raise ValueError(f"{name}: log-scaled bins need start > 0")
        return sc.geomspace(dim, edges.start, edges.stop, n, unit=unit)
    return sc.linspace(dim, edges.start, edges.stop, n, unit=unit)


class FacilityOutputs:
    """A livedata reduction publishing the facility's outputs.

    ``outputs``: published name -> the inner output it is (in the facility's
    order); coordinates named in ``coord_units`` are converted to the unit the
    params asked for; inputs named in ``drop_inputs`` (an aux role the inner
    reduction does not use with these params) are not passed on.
    ``config_warning`` says what is done in place of something the params ask
    for (shown in the job's heartbeat).
    """

    def __init__(
        self,
        inner: Any,
        outputs: Mapping[str, str],
        *,
        coord_units: Mapping[str, str] | None = None,
        drop_inputs: tuple[str, ...] = (),
        config_warning: str | None = None,
    ) -> None:
        self._inner = inner
        self._outputs = dict(outputs)
        self._units = dict(coord_units or {})
        self._drop = frozenset(drop_inputs)
        self.config_warning = config_warning

    def accumulate(
        self, data: Mapping[str, Any], *, start_time: Timestamp, end_time: Timestamp
    ) -> None:
        data = {k: v for k, v in data.items() if k not in self._drop}
        if data:
            self._inner.accumulate(data, start_time=start_time, end_time=end_time)

    def finalize(self) -> dict[str, sc.DataArray]:
        own = self._inner.finalize()
        return {
            name: self._converted(own[inner])
            for name, inner in self._outputs.items()
            if inner in own
        }

    def _converted(self, da: sc.DataArray) -> sc.DataArray:
        coords = {
            name: da.coords[name].to(unit=unit, dtype="float64")
            for name, unit in self._units.items()
            if name in da.coords and da.coords[name].unit != sc.Unit(unit)
        }
        return da.assign_coords(coords) if coords else da

    def clear(self) -> None:
        self._inner.clear()

    def take_dropped_events(self) -> Mapping[str, int]:
        return take_dropped_events(self._inner)
