"""scipp <-> da00 through real FlatBuffers (C5): what results and ROIs look like on the wire."""

from __future__ import annotations

import numpy as np
import pytest
import scipp as sc
import scipp.testing
from streaming_data_types import dataarray_da00
from streaming_data_types.dataarray_da00 import Variable

from livedata.kafka.da00_compat import ERRORS, SIGNAL, da00_to_scipp, scipp_to_da00


def wire_round_trip(da: sc.DataArray) -> sc.DataArray:
    """scipp -> da00 bytes -> scipp, exactly as a result travels between processes."""
    payload = dataarray_da00.serialise_da00("source", 123, scipp_to_da00(da))
    return da00_to_scipp(dataarray_da00.deserialise_da00(payload).data)


def decoded_variables(da: sc.DataArray) -> dict[str, Variable]:
    payload = dataarray_da00.serialise_da00("source", 123, scipp_to_da00(da))
    return {v.name: v for v in dataarray_da00.deserialise_da00(payload).data}


def test_1d_histogram_with_bin_edges_round_trips_identically() -> None:
    da = sc.DataArray(
        sc.array(dims=["toa"], values=[1.0, 2.0, 3.0], unit="counts"),
        coords={"toa": sc.array(dims=["toa"], values=[0.0, 1.0, 2.0, 3.0], unit="ms")},
        name="Monitor 1",
    )
    back = wire_round_trip(da)
    sc.testing.assert_identical(back, da)
    assert back.coords.is_edges("toa")


def test_2d_image_with_coords_round_trips_identically() -> None:
    da = sc.DataArray(
        sc.array(dims=["y", "x"], values=np.arange(6.0).reshape(2, 3), unit="counts"),
        coords={
            "x": sc.linspace("x", -0.5, 0.5, 3, unit="m"),
            "y": sc.linspace("y", -0.5, 0.5, 3, unit="m"),  # edges along y
            "detector_number": sc.array(
                dims=["y", "x"], values=np.arange(6).reshape(2, 3), unit=None
            ),
        },
    )
    back = wire_round_trip(da)
    sc.testing.assert_identical(back, da)
    assert back.dims == ("y", "x")
    assert back.coords.is_edges("y")
    assert not back.coords.is_edges("x")


def test_variances_travel_as_standard_deviations_and_come_back() -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1.0, 2.0], variances=[4.0, 9.0], unit="counts")
    )
    wire = decoded_variables(da)
    assert set(wire) == {SIGNAL, ERRORS}
    np.testing.assert_array_equal(wire[ERRORS].data, [2.0, 3.0])
    assert wire[ERRORS].unit == "counts"
    sc.testing.assert_allclose(wire_round_trip(da), da)


def test_float32_with_variances_stays_float32() -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1.0, 2.0], variances=[1.0, 4.0], dtype="float32")
    )
    back = wire_round_trip(da)
    assert back.dtype == sc.DType.float32
    sc.testing.assert_allclose(back, da)


def test_integer_signal_with_errors_becomes_float64() -> None:
    values = sc.array(dims=["x"], values=[1, 4], unit="counts", dtype="int64")
    signal = Variable(name=SIGNAL, data=values.values, axes=["x"], shape=(2,))
    errors = Variable(
        name=ERRORS, data=np.array([1.0, 2.0]), axes=["x"], shape=(2,), unit="counts"
    )
    da = da00_to_scipp([signal, errors])
    assert da.dtype == sc.DType.float64
    np.testing.assert_array_equal(da.variances, [1.0, 4.0])


def test_masks_are_applied_as_nan_in_values_and_errors() -> None:
    da = sc.DataArray(
        sc.array(
            dims=["y", "x"],
            values=np.ones((2, 3)),
            variances=np.ones((2, 3)),
            unit="counts",
        ),
        masks={"edge": sc.array(dims=["x"], values=[True, False, False])},
    )
    wire = decoded_variables(da)
    assert set(wire) == {SIGNAL, ERRORS}  # masks themselves do not travel
    back = wire_round_trip(da)
    assert not back.masks
    assert np.isnan(back.values[:, 0]).all()
    assert np.isnan(back.variances[:, 0]).all()
    np.testing.assert_array_equal(back.values[:, 1:], 1.0)
    # The caller's array is not modified by the encoding.
    np.testing.assert_array_equal(da.values, 1.0)


def test_masked_integer_data_becomes_float64_with_nan() -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1, 2, 3], unit="counts", dtype="int64"),
        masks={"m": sc.array(dims=["x"], values=[False, True, False])},
    )
    back = wire_round_trip(da)
    assert back.dtype == sc.DType.float64
    np.testing.assert_array_equal(np.isnan(back.values), [False, True, False])


def test_datetime_coords_are_int64_with_datetime_unit() -> None:
    times = np.array(
        ["2026-08-01T12:00:00", "2026-08-01T12:00:01"], dtype="datetime64[ns]"
    )
    da = sc.DataArray(
        sc.array(dims=["time"], values=[1.0, 2.0], unit="mm"),
        coords={"time": sc.array(dims=["time"], values=times, unit="ns")},
    )
    wire = decoded_variables(da)
    assert wire["time"].unit == "datetime64[ns]"
    assert wire["time"].data.dtype == np.int64
    np.testing.assert_array_equal(wire["time"].data, times.view(np.int64))
    back = wire_round_trip(da)
    sc.testing.assert_identical(back, da)
    assert back.coords["time"].dtype == sc.DType.datetime64


def test_datetime_in_seconds_keeps_its_unit() -> None:
    da = sc.DataArray(
        sc.array(dims=["t"], values=[0.0]),
        coords={"t": sc.datetimes(dims=["t"], values=[1_700_000_000], unit="s")},
    )
    assert decoded_variables(da)["t"].unit == "datetime64[s]"
    sc.testing.assert_identical(wire_round_trip(da), da)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64"])
def test_dtypes_of_arrays_are_kept(dtype: str) -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1, 2, 3], unit="counts", dtype=dtype),
        coords={"x": sc.array(dims=["x"], values=[1, 2, 3], unit="m", dtype=dtype)},
    )
    assert decoded_variables(da)[SIGNAL].data.dtype == np.dtype(dtype)
    back = wire_round_trip(da)
    assert back.dtype == dtype
    assert back.coords["x"].dtype == dtype
    sc.testing.assert_identical(back, da)


def test_0d_values_and_time_coords_round_trip() -> None:
    """0-d is how every output carries ``start_time`` and ``time`` (docs/wire.md)."""
    da = sc.DataArray(
        sc.scalar(42.0, variance=4.0, unit="counts"),
        coords={
            "start_time": sc.scalar(1_000, unit="ns", dtype="int64"),
            "time": sc.scalar(2_000, unit="ns", dtype="int64"),
        },
        name="total",
    )
    back = wire_round_trip(da)
    sc.testing.assert_identical(back, da)
    assert back.ndim == 0


def test_0d_narrow_dtypes_come_back_as_64_bit() -> None:
    """``deserialise_da00`` hands 0-d data back as a Python scalar, losing width."""
    da = sc.DataArray(sc.scalar(3, unit="counts", dtype="int32"))
    back = wire_round_trip(da)
    assert back.dtype == sc.DType.int64
    assert back.value == 3


def test_units_travel_as_strings_and_none_stays_none() -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1.0], unit="1/angstrom"),
        coords={"n": sc.array(dims=["x"], values=[7], unit=None)},
    )
    wire = decoded_variables(da)
    assert sc.Unit(wire[SIGNAL].unit) == sc.Unit("1/angstrom")
    assert wire["n"].unit is None
    back = wire_round_trip(da)
    assert back.unit == sc.Unit("1/angstrom")
    assert back.coords["n"].unit is None


def test_dimensionless_is_not_confused_with_no_unit() -> None:
    da = sc.DataArray(sc.array(dims=["x"], values=[0.5], unit="dimensionless"))
    assert wire_round_trip(da).unit == sc.units.dimensionless


def test_name_travels_in_the_signal_label() -> None:
    da = sc.DataArray(sc.array(dims=["x"], values=[1.0]), name="I(d)")
    assert decoded_variables(da)[SIGNAL].label == "I(d)"
    assert wire_round_trip(da).name == "I(d)"


def test_boolean_coords_travel_as_uint8_and_decode_as_integers() -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1.0, 2.0]),
        coords={"flag": sc.array(dims=["x"], values=[True, False])},
    )
    assert decoded_variables(da)["flag"].data.dtype == np.uint8
    back = wire_round_trip(da)
    np.testing.assert_array_equal(back.coords["flag"].values, [1, 0])


@pytest.mark.parametrize(
    ("wire_dtype", "expected"),
    [("uint8", "int32"), ("int16", "int32"), ("uint16", "int32"), ("uint32", "int64")],
)
def test_integer_types_scipp_lacks_are_widened(wire_dtype: str, expected: str) -> None:
    """A peer may send camera-style unsigned data; decoding must not raise."""
    signal = Variable(
        name=SIGNAL,
        data=np.array([[1, 2], [3, 250]], dtype=wire_dtype),
        axes=["y", "x"],
        shape=(2, 2),
        unit="counts",
    )
    payload = dataarray_da00.serialise_da00("camera", 1, [signal])
    da = da00_to_scipp(dataarray_da00.deserialise_da00(payload).data)
    assert da.dtype == expected
    np.testing.assert_array_equal(da.values, [[1, 2], [3, 250]])


def test_message_without_signal_is_rejected() -> None:
    x = Variable(name="x", data=np.array([1.0]), axes=["x"], shape=(1,))
    with pytest.raises(ValueError, match="signal"):
        da00_to_scipp([x])


def test_string_coords_have_no_da00_form() -> None:
    da = sc.DataArray(
        sc.array(dims=["x"], values=[1.0]),
        coords={"label": sc.array(dims=["x"], values=["a"])},
    )
    with pytest.raises(ValueError, match="label"):
        scipp_to_da00(da)
