"""scipp <-> da00 (C5): how results and ROIs travel on the wire.

The data variable is ``signal`` (its label carries the DataArray name), variances
travel as ``errors`` (standard deviations), every coordinate is a variable (bin
edges keep their extra element), masks are applied as NaN, datetime coordinates
are int64 with unit ``datetime64[<unit>]``, and booleans become uint8 because da00
has no boolean type. Integer types scipp lacks (8/16-bit, unsigned) are widened on
decoding; 0-d values come back as 64-bit because ``deserialise_da00`` returns them
as Python scalars.
"""

from __future__ import annotations

import numpy as np
import scipp as sc
from streaming_data_types.dataarray_da00 import Variable

SIGNAL = "signal"
ERRORS = "errors"
_DATETIME_PREFIX = "datetime64["
# dtypes da00 carries but scipp cannot hold, widened losslessly (uint64 may wrap).
_WIDER = {
    np.dtype(np.int8): np.int32,
    np.dtype(np.int16): np.int32,
    np.dtype(np.uint8): np.int32,
    np.dtype(np.uint16): np.int32,
    np.dtype(np.uint32): np.int64,
    np.dtype(np.uint64): np.int64,
}


def _float_dtype(var: sc.Variable) -> str:
    """Keep float32/float64; anything else becomes float64 (for NaN or variances)."""
    if var.dtype in (sc.DType.float32, sc.DType.float64):
        return str(var.dtype)
    return "float64"


def _unit_str(unit: sc.Unit | None) -> str | None:
    return None if unit is None else str(unit)


def _encode(name: str, var: sc.Variable, label: str | None = None) -> Variable:
    values = np.asarray(var.values)
    unit = _unit_str(var.unit)
    if var.dtype == sc.DType.datetime64:
        values = values.astype("datetime64[ns]" if unit is None else values.dtype)
        unit = f"{_DATETIME_PREFIX}{unit}]"
        values = values.view(np.int64).reshape(var.shape)
    elif values.dtype == bool:
        values = values.astype(np.uint8)
    elif values.dtype.kind in "OU":
        raise ValueError(f"coordinate {name!r} of dtype {var.dtype} has no da00 form")
    return Variable(
        name=name,
        data=np.ascontiguousarray(values),
        axes=list(var.dims),
        shape=tuple(values.shape),
        unit=unit,
        label=label,
    )


def scipp_to_da00(da: sc.DataArray) -> list[Variable]:
    data = da.data
    if da.masks:
        mask = sc.zeros(sizes=data.sizes, dtype=bool)
        for m in da.masks.values():
            mask = mask | m.broadcast(sizes=data.sizes)
        data = data.to(dtype=_float_dtype(data), copy=True)
        data.values[mask.values] = np.nan
        if data.variances is not None:
            data.variances[mask.values] = np.nan
    plain = sc.Variable(dims=data.dims, values=data.values, unit=data.unit)
    out = [_encode(SIGNAL, plain, label=da.name or None)]
    if data.variances is not None:
        errors = sc.Variable(
            dims=data.dims, values=np.sqrt(data.variances), unit=data.unit
        )
        out.append(_encode(ERRORS, errors))
    for name, coord in da.coords.items():
        out.append(_encode(name, coord))
    return out


def _decode(var: Variable) -> sc.Variable:
    values = np.asarray(var.data)
    unit = var.unit
    if isinstance(var.data, str):
        raise ValueError(f"variable {var.name!r} holds a string, not an array")
    if var.axes:
        values = values.reshape(tuple(int(s) for s in var.shape))
    else:
        values = values.reshape(())
    if values.dtype in _WIDER:
        values = values.astype(_WIDER[values.dtype])
    if unit and unit.startswith(_DATETIME_PREFIX):
        inner = unit[len(_DATETIME_PREFIX) : -1]
        return sc.Variable(
            dims=var.axes,
            values=values.astype(np.int64).view(f"datetime64[{inner}]"),
            unit=inner,
        )
    return sc.Variable(dims=var.axes, values=values, unit=unit or None)


def da00_to_scipp(variables: list[Variable]) -> sc.DataArray:
    by_name = {v.name: v for v in variables}
    if SIGNAL not in by_name:
        raise ValueError("da00 message has no 'signal' variable")
    signal = by_name[SIGNAL]
    data = _decode(signal)
    if ERRORS in by_name:
        errors = _decode(by_name[ERRORS])
        data = data.to(dtype=_float_dtype(data))
        data.variances = (errors.values**2).astype(data.values.dtype)
    coords = {v.name: _decode(v) for v in variables if v.name not in (SIGNAL, ERRORS)}
    return sc.DataArray(data, coords=coords, name=signal.label or "")
