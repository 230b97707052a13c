"""ad00 camera frames -> 2-D DataArray, from real FlatBuffers."""

from __future__ import annotations

import numpy as np
import pytest
import scipp as sc
from streaming_data_types import area_detector_ad00

from livedata.kafka.ad00_compat import AREA_DIMS, ad00_to_scipp


def decoded_frame(frame: np.ndarray, timestamp_ns: int = 1_700_000_000_000_000_000):
    payload = area_detector_ad00.serialise_ad00("camera", 7, timestamp_ns, frame)
    return area_detector_ad00.deserialise_ad00(payload)


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "int32", "float32", "float64"])
def test_frame_becomes_float64_counts_with_its_shape(dtype: str) -> None:
    frame = np.arange(12, dtype=dtype).reshape(3, 4)
    da = ad00_to_scipp(decoded_frame(frame))
    assert da.dims == AREA_DIMS
    assert da.shape == (3, 4)
    assert da.dtype == sc.DType.float64
    assert da.unit == sc.Unit("counts")
    np.testing.assert_array_equal(da.values, frame.astype(np.float64))


def test_rows_and_columns_are_not_transposed() -> None:
    frame = np.zeros((2, 5), dtype=np.int32)
    frame[1, 4] = 9
    da = ad00_to_scipp(decoded_frame(frame))
    assert da[AREA_DIMS[0], 1][AREA_DIMS[1], 4].value == 9.0
    assert da.sum().value == 9.0


def test_timestamp_and_source_come_from_the_frame() -> None:
    frame = decoded_frame(np.ones((2, 2), dtype=np.int32), timestamp_ns=123_456_789)
    assert frame.timestamp_ns == 123_456_789
    assert frame.source_name == "camera"


def test_non_2d_frames_are_rejected() -> None:
    with pytest.raises(ValueError, match="dims"):
        ad00_to_scipp(decoded_frame(np.ones(5, dtype=np.int32)))
