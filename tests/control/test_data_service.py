"""DataService: buffering unrolled results, versions, summaries, thread safety."""

import subprocess
import sys
import threading
import time

import numpy as np
import scipp as sc

from livedata.control.data_service import (
    CURVE_POINTS,
    HISTORY_LENGTH,
    DataService,
    curve,
)
from livedata.control.extractors import FullHistory, WindowAggregate
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.job import JobResult
from livedata.core.message import Message
from livedata.core.metrics import Counters
from livedata.core.result import unroll
from livedata.core.stream import StreamId, StreamKind
from livedata.core.timestamp import Timestamp
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_client_adapter
from livedata.kafka.serialisers import Serialiser

S = 1_000_000_000
T0 = 1_700_000_000 * S
WORKFLOW = WorkflowId(instrument="dummy", name="monitor_histogram", version=2)
JOB = JobId(source_name="monitor1")


def results(i: int, **outputs) -> list[Message]:
    return unroll(
        JobResult(
            job_id=JOB,
            workflow_id=WORKFLOW,
            start_time=Timestamp(T0 + i * S),
            end_time=Timestamp(T0 + (i + 1) * S),
            outputs=outputs,
        )
    )


def spectrum(value: float) -> sc.DataArray:
    return sc.DataArray(
        sc.array(dims=["toa"], values=[value, 2 * value], unit="counts"),
        coords={"toa": sc.array(dims=["toa"], values=[0.0, 1.0, 2.0], unit="ms")},
    )


def key(output: str) -> ResultKey:
    return ResultKey(workflow_id=WORKFLOW, job_id=JOB, output_name=output)


def test_results_are_buffered_per_key_with_versions():
    service = DataService()
    assert service.version == 0
    for i in range(3):
        for message in results(i, current=spectrum(float(i + 1)), total=sc.scalar(7)):
            assert service.add(message)
    assert set(service.keys()) == {key("current").to_json(), key("total").to_json()}
    assert service.version == 6
    assert service.version_of(key("current")) == 5
    assert service.version_of(key("total")) == 6
    assert service.version_of("never seen") == 0
    latest = service.get(key("current"))
    assert latest.values.tolist() == [3.0, 6.0]
    assert latest.coords["time"].value == T0 + 3 * S
    history = service.get(key("current").to_json(), FullHistory())
    assert history.sizes == {"time": 3, "toa": 2}
    summed = service.get(key("current"), WindowAggregate(seconds=1.5))
    assert summed.values.tolist() == [5.0, 10.0]


def test_unknown_key_gives_none():
    assert DataService().get(key("nothing")) is None


def test_bad_messages_are_counted_not_raised():
    service = DataService()
    stream = StreamId(StreamKind.LIVEDATA_DATA, "not json")
    assert not service.add(Message(Timestamp(0), stream, sc.scalar(1.0)))
    good_key = StreamId(StreamKind.LIVEDATA_DATA, key("x").to_json())
    assert not service.add(Message(Timestamp(0), good_key, "a string"))
    assert service.counters.get("results_bad_key") == 1
    assert service.counters.get("results_bad_value") == 1
    assert service.keys() == ()
    assert service.version == 0


def test_result_rows_summarise_scalars_spectra_and_images():
    clock = iter([10.0, 11.0, 12.0, 13.0, 14.0, 15.0])
    service = DataService(clock=lambda: next(clock))
    image = sc.DataArray(
        sc.array(dims=["y", "x"], values=[[1.0, np.nan], [3.0, 4.0]], unit="counts")
    )
    for i in range(2):
        for message in results(
            i, rate=sc.scalar(float(i) + 0.5, unit="Hz"), img=image, spec=spectrum(1.0)
        ):
            service.add(message)
    rows = {row.output_name: row for row in service.result_rows()}
    rate, img, spec = rows["rate"], rows["img"], rows["spec"]
    assert rate.summary == {"value": 1.5}
    assert rate.history == (0.5, 1.5)
    assert rate.unit == "Hz"
    assert rate.dims == () and rate.shape == ()
    assert img.summary == {"shape": (2, 2), "sum": 8.0, "max": 4.0}
    assert img.dims == ("y", "x")
    assert img.history == (8.0, 8.0)
    assert spec.summary["sum"] == 3.0
    assert rate.workflow_id == "dummy/monitor_histogram/2"
    assert rate.job_id == str(JOB)
    assert rate.updated_s == 13.0
    assert ResultKey.from_json(img.key) == key("img")
    # images keep only their latest value (until a reader needs a history)
    assert service.get(key("img")).dims == ("y", "x")
    assert service.memory_bytes() < 3 * image.values.nbytes + 1024


def test_row_history_is_bounded():
    service = DataService()
    for i in range(HISTORY_LENGTH + 10):
        for message in results(i, total=sc.scalar(float(i))):
            service.add(message)
    (row,) = service.result_rows()
    assert len(row.history) == HISTORY_LENGTH
    assert row.history[-1] == float(HISTORY_LENGTH + 9)


def test_memory_cap_bounds_each_history_and_counts_drops():
    one_row = 2 * 8 + 16
    service = DataService(memory_cap_bytes=5 * one_row)
    for i in range(8):
        for message in results(i, current=spectrum(float(i))):
            service.add(message)
    assert service.get(key("current"), FullHistory()).sizes["time"] == 5
    assert service.dropped_frames() == 3
    assert service.memory_bytes() <= 5 * one_row


def test_results_decoded_from_real_da00_records():
    """Serialised by the services' serialiser, decoded by the clients' adapter."""
    serialise = Serialiser("dummy", host="h", pid=1)
    adapter = build_client_adapter("dummy", Counters())
    service = DataService()
    for i in range(2):
        for message in results(i, current=spectrum(float(i + 1))):
            record = serialise(message)
            raw = RawMessage(topic=record.topic, value=record.value, key=record.key)
            assert service.add(adapter.adapt(raw))
    history = service.get(key("current"), FullHistory())
    assert history.values.tolist() == [[1.0, 2.0], [2.0, 4.0]]
    assert history.coords["time"].values.tolist() == [T0 + S, T0 + 2 * S]


def test_concurrent_writer_and_readers_see_consistent_state():
    service = DataService()
    errors: list[BaseException] = []
    done = threading.Event()

    def write():
        for i in range(300):
            for message in results(i, current=spectrum(float(i))):
                service.add(message)
        done.set()

    def read():
        try:
            seen = 0
            while not done.is_set():
                version = service.version
                assert version >= seen
                seen = version
                history = service.get(key("current"), FullHistory())
                if history is not None:
                    assert history.sizes["time"] == len(history.coords["time"])
                service.result_rows()
        except BaseException as err:  # surfaced in the main thread below
            errors.append(err)

    readers = [threading.Thread(target=read) for _ in range(2)]
    writer = threading.Thread(target=write)
    for t in (*readers, writer):
        t.start()
    for t in (*readers, writer):
        t.join(30)
    assert errors == []
    assert service.get(key("current"), FullHistory()).sizes["time"] == 300


def test_importing_the_module_does_not_import_scipp():
    code = (
        "import sys, livedata.control.data_service, livedata.control.extractors;"
        "sys.exit('scipp' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_spectra_carry_their_curve_with_bin_centres():
    service = DataService()
    for message in results(0, spec=spectrum(1.0)):
        service.add(message)
    (row,) = service.result_rows()
    assert row.summary["values"] == [1.0, 2.0]
    assert row.summary["x"] == [0.5, 1.5]
    assert row.summary["x_unit"] == "ms"
    assert row.summary["x_label"] == "toa"


def test_long_histograms_are_summed_down_and_other_curves_averaged():
    edges = sc.linspace("tof", 0.0, 1000.0, 1001, unit="us")
    counts = sc.DataArray(
        sc.array(dims=["tof"], values=np.ones(1000), unit="counts"),
        coords={"tof": edges},
    )
    summary = curve(counts)
    assert len(summary["values"]) == CURVE_POINTS
    assert summary["values"] == [5.0] * CURVE_POINTS  # counts are summed
    assert sum(summary["values"]) == 1000.0
    assert summary["x"][0] == 2.5 and summary["x"][-1] == 997.5
    assert summary["x_unit"] == str(sc.Unit("us"))
    centres = sc.DataArray(
        sc.array(dims=["x"], values=np.arange(400.0), unit="K"),
        coords={"x": sc.array(dims=["x"], values=np.arange(400.0), unit="m")},
    )
    averaged = curve(centres, points=4)
    assert averaged["values"] == [49.5, 149.5, 249.5, 349.5]
    assert averaged["x"] == [49.5, 149.5, 249.5, 349.5]


def test_curves_leave_out_masked_bins_and_keep_their_spacing():
    values = np.array([1.0, 2.0, np.nan, np.nan, 5.0, np.inf])
    da = sc.DataArray(sc.array(dims=["pixel"], values=values, unit="counts"))
    summary = curve(da, points=3)
    assert summary["values"] == [3.0, 5.0]
    assert summary["x"] == [0.5, 4.5]  # index centres: no coordinate
    assert "x_unit" not in summary
    assert summary["x_label"] == "pixel"
    plain = curve(sc.DataArray(sc.array(dims=["i"], values=[1, 2, 3])))
    assert plain == {"values": [1.0, 2.0, 3.0], "x_label": "i"}
    dated = sc.DataArray(
        sc.array(dims=["time"], values=[1.0, 2.0]),
        coords={"time": sc.datetimes(dims=["time"], values=[0, 1], unit="s")},
    )
    assert "x" not in curve(dated)


def test_images_and_scalars_carry_no_curve():
    service = DataService()
    image = sc.DataArray(sc.ones(dims=["y", "x"], shape=[3, 3], unit="counts"))
    for message in results(0, img=image, total=sc.scalar(3.0)):
        service.add(message)
    for row in service.result_rows():
        assert "values" not in row.summary


def image(value: float) -> sc.DataArray:
    return sc.DataArray(
        sc.full(dims=["y", "x"], shape=[2, 3], value=value, unit="counts")
    )


def test_a_window_on_an_image_sums_its_frames_not_the_latest():
    """D7: the buffer follows what the reader needs, not only the data's shape."""
    service = DataService()
    for message in results(0, img=image(1.0)):
        service.add(message)
    window = WindowAggregate(seconds=10)
    first = service.get(key("img"), window)  # from now on a history is kept
    assert first.values.tolist() == [[1.0] * 3] * 2
    for i in range(1, 4):
        for message in results(i, img=image(float(i + 1))):
            service.add(message)
    summed = service.get(key("img"), window)
    assert summed.dims == ("y", "x")
    assert summed.values.tolist() == [[10.0] * 3] * 2  # 1 + 2 + 3 + 4
    assert summed.coords["start_time"].value == T0
    assert service.get(key("img"), FullHistory()).sizes == {"time": 4, "y": 2, "x": 3}
    assert service.get(key("img")).values.tolist() == [[4.0] * 3] * 2
    assert service.counters.get("results_histories_started") == 1


def test_a_history_asked_for_before_the_data_keeps_every_frame():
    service = DataService()
    service.keep_history(key("img"))
    for i in range(3):
        for message in results(i, img=image(1.0)):
            service.add(message)
    assert service.get(key("img"), FullHistory()).sizes["time"] == 3
    last_two = service.get(key("img"), WindowAggregate(seconds=1.5))
    assert last_two.values.tolist() == [[2.0] * 3] * 2


def test_an_image_history_stays_within_the_memory_cap():
    frame_bytes = image(0.0).values.nbytes + 16
    service = DataService(memory_cap_bytes=3 * frame_bytes)
    service.keep_history(key("img"))
    for i in range(10):
        for message in results(i, img=image(float(i))):
            service.add(message)
    history = service.get(key("img"), FullHistory())
    assert history.sizes["time"] == 3
    assert history.values[:, 0, 0].tolist() == [7.0, 8.0, 9.0]  # the newest
    assert service.dropped_frames() == 7
    assert service.memory_bytes() <= 3 * frame_bytes + 64


def test_an_output_with_its_own_time_axis_never_gets_a_second_one():
    series = sc.DataArray(
        sc.array(dims=["time"], values=[1.0, 2.0], unit="K"),
        coords={"time": sc.array(dims=["time"], values=[1, 2], unit="ns")},
    )
    service = DataService()
    service.keep_history(key("log"))
    for message in results(0, log=series):
        service.add(message)
    assert service.get(key("log"), FullHistory()).dims == ("time",)
    assert service.get(key("log"), WindowAggregate(5)).dims == ("time",)


def test_summary_number_is_sum_of_counts_last_of_a_time_series_else_mean():
    from livedata.control.data_service import summarise

    counts = sc.DataArray(
        sc.array(dims=["toa"], values=[1.0, np.nan, 2.0], unit="counts")
    )
    positions = sc.DataArray(
        sc.array(dims=["time"], values=[10.0, 20.0, 30.0], unit="mm"),
        coords={"time": sc.array(dims=["time"], values=[1, 2, 3], unit="ns")},
    )
    ratio = sc.DataArray(sc.array(dims=["x"], values=[0.5, 1.5], unit=""))
    assert summarise(counts)[0]["sum"] == 3.0
    summary, point = summarise(positions)
    assert (summary["last"], summary["max"], point) == (30.0, 30.0, 30.0)
    assert "sum" not in summary
    assert summarise(ratio)[1] == 1.0


def test_a_waiting_reader_wakes_when_a_result_is_stored_and_knows_when():
    service = DataService()
    assert service.wait_for_change(0, timeout=0.05) == 0  # nothing came: timed out
    (message,) = results(0, current=spectrum(1.0))
    writer = threading.Timer(0.2, service.add, args=(message,))
    started = time.monotonic()
    writer.start()
    assert service.wait_for_change(0, timeout=30) == 1
    waited = time.monotonic() - started
    writer.join()
    assert waited < 10  # woken by the add, not by the 30 s timeout
    received = service.received_at(key("current"))
    assert received is not None and abs(received - time.time()) < 10
    assert service.received_at(key("total")) is None
    assert service.wait_for_change(0, timeout=30) == 1  # already moved: no wait
