"""Write an ``InstrumentLayout`` as a minimal NeXus geometry file (h5py).

No library writes NeXus *from* plain arrays in the shape scippnexus reads back
(scippnexus only reads), so the few groups and attributes are written by hand here.
The file holds geometry: an NXentry with NXinstrument (NXsource, one NXmonitor per
monitor, one NXdetector per bank) and NXsample, each placed by a one-step
``depends_on`` translation chain. Detectors and monitors carry an empty NXevent_data
group, as geometry files cut from real runs do, so readers find their signal. Pixel offsets are relative to the bank's mean
position, which is the bank's own translation.

The output is byte-for-byte reproducible (no creation times), so the md5 of a file
made from a layout can be recorded in the geometry registry.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from ..instruments.pixel_layout import BankLayout, InstrumentLayout

_AXES = ("x", "y", "z")
# Fixed HDF5 format bounds plus no timestamps: identical bytes for identical input.
_LIBVER = ("v110", "v110")


def write_nexus_geometry(layout: InstrumentLayout, path: str | Path) -> Path:
    """Write ``layout`` to ``path`` (overwriting it) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", libver=_LIBVER, track_order=False) as f:
        entry = _group(f, "entry", "NXentry")
        instrument = _group(entry, "instrument", "NXinstrument")
        _string(instrument, "name", layout.instrument)
        source = _group(instrument, "source", "NXsource")
        _string(source, "name", "source")
        _place(source, layout.source_position)
        for monitor in layout.monitors:
            group = _group(instrument, monitor.name, "NXmonitor")
            _place(group, monitor.position)
            _empty_events(group)
        for bank in layout.banks:
            _write_bank(instrument, bank)
        sample = _group(entry, "sample", "NXsample")
        _string(sample, "name", "sample")
        _place(sample, layout.sample_position)
    return path


def _write_bank(parent: h5py.Group, bank: BankLayout) -> None:
    group = _group(parent, bank.name, "NXdetector")
    # Dim labels of the bank's logical shape: `axes` names them and each per-pixel
    # field says which axes it spans (`<field>_indices`); without the indices a
    # square bank is ambiguous to readers.
    dims = ("detector_number",) if bank.flat_in_file else bank.dims
    group.attrs["axes"] = list(dims)
    numbers = np.asarray(bank.detector_number)
    positions = np.asarray(bank.positions, dtype=np.float64)
    if bank.flat_in_file:
        numbers, positions = numbers.ravel(), positions.reshape(-1, 3)
    per_pixel = {"detector_number": numbers}
    centre = positions.reshape(-1, 3).mean(axis=0)
    offsets = positions - centre
    for i, axis in enumerate(_AXES):
        per_pixel[f"{axis}_pixel_offset"] = offsets[..., i]
    indices = np.arange(len(dims), dtype=np.int32)
    for name, values in per_pixel.items():
        units = None if name == "detector_number" else "m"
        _dataset(group, name, values, units=units)
        group.attrs[f"{name}_indices"] = indices
    _place(group, tuple(float(c) for c in centre))
    _empty_events(group)


def _empty_events(parent: h5py.Group) -> None:
    events = _group(parent, "events", "NXevent_data")
    _dataset(events, "event_id", np.zeros(0, dtype=np.int32))
    _dataset(events, "event_time_offset", np.zeros(0, dtype=np.int32), units="ns")
    _dataset(events, "event_time_zero", np.zeros(0, dtype=np.int64), units="ns")
    _dataset(events, "event_index", np.zeros(0, dtype=np.int64))


def _place(group: h5py.Group, position: tuple[float, float, float]) -> None:
    """Position ``group`` by a single translation from the origin."""
    vector = np.asarray(position, dtype=np.float64)
    distance = float(np.linalg.norm(vector))
    direction = vector / distance if distance > 0 else np.array([0.0, 0.0, 1.0])
    transformations = _group(group, "transformations", "NXtransformations")
    translation = _dataset(
        transformations, "translation", np.float64(distance), units="m"
    )
    translation.attrs["transformation_type"] = "translation"
    translation.attrs["vector"] = direction
    translation.attrs["depends_on"] = "."
    _string(group, "depends_on", "transformations/translation")


def _group(parent: h5py.Group, name: str, nx_class: str) -> h5py.Group:
    group = parent.create_group(name, track_order=False)
    group.attrs["NX_class"] = nx_class
    return group


def _dataset(
    parent: h5py.Group, name: str, data: np.ndarray, *, units: str | None = None
) -> h5py.Dataset:
    dataset = parent.create_dataset(name, data=data, track_times=False)
    if units is not None:
        dataset.attrs["units"] = units
    return dataset


def _string(parent: h5py.Group, name: str, value: str) -> None:
    parent.create_dataset(name, data=value, track_times=False)
