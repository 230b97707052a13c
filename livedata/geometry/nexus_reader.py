"""Read pixel geometry back from a NeXus file with scippnexus, for the factories.

Positions come from scippnexus' ``compute_positions`` (the file's depends_on chain
applied to the pixel offsets), so any NeXus file with the usual NXdetector fields
works, not only the files ``nexus_writer`` makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipp as sc
import scippnexus as snx

from ..instruments.pixel_layout import BankLayout, InstrumentLayout, MonitorLayout


@dataclass(frozen=True)
class BankGeometry:
    """One bank's ``detector_number`` and ``position`` (vectors in m), same dims."""

    name: str
    detector_number: sc.Variable
    position: sc.Variable

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(self.detector_number.dims)


def read_bank(path: str | Path, bank: str) -> BankGeometry:
    """The pixels of NXdetector ``bank`` of the file's (single) NXentry."""
    with snx.File(path, "r") as f:
        instrument = _instrument(f)
        detectors = instrument[snx.NXdetector]
        if bank not in detectors:
            raise KeyError(
                f"{path}: no detector {bank!r} (has {', '.join(sorted(detectors))})"
            )
        return _bank(bank, detectors[bank][()])


def read_layout(path: str | Path) -> InstrumentLayout:
    """Everything the writer puts in a file, back as a NumPy ``InstrumentLayout``.

    Banks stored flat come back flat (dim ``detector_number``): their logical
    shape is the reducer's business (``DetectorBankSizes``).
    """
    with snx.File(path, "r") as f:
        entry = _entry(f)
        instrument = _instrument(f)
        name = instrument["name"][()] if "name" in instrument else entry.name
        banks = []
        for bank_name, group in instrument[snx.NXdetector].items():
            geometry = _bank(bank_name, group[()])
            banks.append(
                BankLayout(
                    name=bank_name,
                    dims=geometry.dims,
                    detector_number=geometry.detector_number.values,
                    positions=geometry.position.values,
                    flat_in_file=geometry.dims == ("detector_number",),
                )
            )
        monitors = tuple(
            MonitorLayout(monitor_name, _position_of(group[()]))
            for monitor_name, group in instrument[snx.NXmonitor].items()
        )
        return InstrumentLayout(
            instrument=str(name),
            banks=tuple(banks),
            source_position=_position_of(
                next(iter(instrument[snx.NXsource].values()))[()]
            ),
            sample_position=_position_of(next(iter(entry[snx.NXsample].values()))[()]),
            monitors=monitors,
        )


def _entry(f: snx.Group) -> snx.Group:
    entries = list(f[snx.NXentry].values())
    if len(entries) != 1:
        raise ValueError(f"expected one NXentry, found {len(entries)}")
    return entries[0]


def _instrument(f: snx.Group) -> snx.Group:
    instruments = list(_entry(f)[snx.NXinstrument].values())
    if len(instruments) != 1:
        raise ValueError(f"expected one NXinstrument, found {len(instruments)}")
    return instruments[0]


def _bank(name: str, loaded: sc.DataGroup) -> BankGeometry:
    placed = snx.compute_positions(loaded)
    signal = next((v for v in placed.values() if isinstance(v, sc.DataArray)), None)
    if signal is None or "position" not in signal.coords:
        raise ValueError(f"detector {name!r} has no pixel positions")
    return BankGeometry(
        name=name,
        detector_number=signal.coords["detector_number"],
        position=signal.coords["position"].to(unit="m", copy=False),
    )


def _position_of(loaded: sc.DataGroup) -> tuple[float, float, float]:
    position = snx.compute_positions(loaded)["position"].to(unit="m", copy=False)
    x, y, z = np.asarray(position.value, dtype=float)
    return (float(x), float(y), float(z))
