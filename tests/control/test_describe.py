"""describe(): one readable line per record, from real serialised FlatBuffers."""

import json
import subprocess
import sys

import numpy as np
import pytest
from streaming_data_types import (
    area_detector_ad00,
    dataarray_da00,
    eventdata_ev44,
    logdata_f144,
    status_x5f2,
)

from livedata.control.describe import describe, describe_json, iso_time
from livedata.kafka.raw import RawMessage

T = 1_700_000_000_123_000_000  # 2023-11-14T22:13:20.123Z


def raw(value: bytes, topic: str = "dummy_topic", key: bytes | None = None):
    return RawMessage(topic=topic, value=value, key=key, timestamp_ms=T // 1_000_000)


def ev44() -> bytes:
    return eventdata_ev44.serialise_ev44(
        "panel_0",
        42,
        reference_time=[T, T + 71_428_571],
        reference_time_index=[0, 2],
        time_of_flight=np.array([1_000_000, 2_500_000, 70_000_000], dtype=np.int32),
        pixel_id=np.array([7, 3, 99], dtype=np.int32),
    )


def test_iso_time():
    assert iso_time(T) == "2023-11-14T22:13:20.123Z"


def test_ev44_line_and_fields():
    line = describe(raw(ev44()))
    assert line == (
        "dummy_topic ev44 panel_0 msg 42 pulse 2023-11-14T22:13:20.123Z (+1 pulses)"
        " 3 events pixels 3..99 toa 1.000..70.000 ms"
    )
    fields = describe_json(raw(ev44()))
    assert fields["schema"] == "ev44"
    assert fields["pixel_id_range"] == [3, 99]
    assert fields["toa_range_ns"] == [1_000_000, 70_000_000]
    assert fields["kafka_time"] == "2023-11-14T22:13:20.123Z"
    json.dumps(fields)  # --json must be able to print it


def test_ev44_without_events():
    value = eventdata_ev44.serialise_ev44("m1", 1, [T], [0], [], [])
    assert describe(raw(value), with_topic=False).endswith("0 events pixels - toa -")


def test_da00_lists_variables_and_signal_sum():
    value = dataarray_da00.serialise_da00(
        source_name='{"output_name":"current"}',
        timestamp_ns=T,
        data=[
            dataarray_da00.Variable(
                name="signal",
                data=np.array([1.0, np.nan, 2.0]),
                axes=["toa"],
                shape=(3,),
                unit="counts",
            ),
            dataarray_da00.Variable(
                name="toa",
                data=np.arange(4.0),
                axes=["toa"],
                shape=(4,),
                unit="ms",
            ),
            dataarray_da00.Variable(
                name="time", data=np.array(T), axes=[], shape=(), unit="ns"
            ),
        ],
    )
    line = describe(raw(value), with_topic=False)
    assert line == (
        'da00 {"output_name":"current"} 2023-11-14T22:13:20.123Z'
        " signal[toa:3] counts, toa[toa:4] ms, time[] ns sum=3.0"
    )
    fields = describe_json(raw(value))
    assert fields["variables"][0] == {
        "name": "signal",
        "dims": ["toa"],
        "shape": [3],
        "unit": "counts",
    }
    json.dumps(fields)


def test_f144_value_and_time():
    value = logdata_f144.serialise_f144("motor_x", 3.25, T)
    assert describe(raw(value), with_topic=False) == (
        "f144 motor_x 2023-11-14T22:13:20.123Z value=3.25"
    )
    array_value = logdata_f144.serialise_f144("pv", np.array([1, 2, 3]), T)
    assert describe_json(raw(array_value))["value"] == [1, 2, 3]


def test_ad00_shape_dtype_sum():
    frame = np.arange(6, dtype=np.uint16).reshape(2, 3)
    value = area_detector_ad00.serialise_ad00("orca", 1, T, frame)
    assert describe(raw(value), with_topic=False) == (
        "ad00 orca 2023-11-14T22:13:20.123Z 2x3 uint16 sum=15"
    )


def test_x5f2_service_status_and_state():
    status = {
        "status": 200,
        "message": {"message_type": "service", "state": "running"},
    }
    value = status_x5f2.serialise_x5f2(
        "livedata",
        "0.1",
        "dummy:detector_data:abc",
        "host",
        1,
        2000,
        json.dumps(status),
    )
    assert describe(raw(value), with_topic=False) == (
        "x5f2 dummy:detector_data:abc status 200 running"
    )


def test_json_commands_are_compact_and_keyed():
    command = {"kind": "job_command", "action": "stop", "job_id": None}
    record = raw(json.dumps(command, indent=2).encode(), key=b"all")
    assert describe(record, with_topic=False) == (
        'json {"kind":"job_command","action":"stop","job_id":null}'
    )
    assert describe_json(record)["key"] == "all"


def test_unknown_schema_names_identifier_and_size():
    value = b"\x10\x00\x00\x00abcd" + bytes(24)
    assert describe(raw(value), with_topic=False) == "unknown schema abcd, 32 bytes"
    assert describe(raw(b"hi"), with_topic=False) == "unknown schema (none), 2 bytes"


@pytest.mark.parametrize("cut", [8, 12, 20, 40])
@pytest.mark.parametrize(
    "make",
    [
        ev44,
        lambda: logdata_f144.serialise_f144("pv", 1.0, T),
        lambda: area_detector_ad00.serialise_ad00("cam", 1, T, np.ones((2, 2))),
        lambda: status_x5f2.serialise_x5f2("a", "b", "c", "d", 1, 2, "{}"),
    ],
)
def test_truncated_flatbuffers_are_described_as_corrupt(make, cut):
    value = make()[:cut]
    line = describe(raw(value), with_topic=False)
    assert line.startswith(f"{value[4:8].decode()} corrupt message, {cut} bytes:")
    assert "error" in describe_json(raw(value))


def test_garbage_after_a_known_identifier_is_corrupt_not_an_exception():
    value = b"\xff\xff\xff\x7fda00" + b"\xff" * 40
    line = describe(raw(value), with_topic=False)
    assert line.startswith("da00 corrupt message, 48 bytes:")
    assert "error" in describe_json(raw(value))


def test_broken_json_is_reported():
    assert describe(raw(b'{"kind": '), with_topic=False).startswith(
        "json corrupt message"
    )


def test_describing_da00_does_not_import_scipp():
    code = (
        "import sys, numpy as np\n"
        "from streaming_data_types import dataarray_da00 as d\n"
        "from livedata.control.describe import describe\n"
        "from livedata.kafka.raw import RawMessage\n"
        "v = d.serialise_da00('s', 1, [d.Variable(name='signal', data=np.ones(2))])\n"
        "describe(RawMessage('t', v))\n"
        "sys.exit('scipp' in sys.modules)\n"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
