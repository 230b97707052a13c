"""Unrolling job results into one message per output, keyed by ResultKey (B12, G6)."""

import numpy as np
import scipp as sc

from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.job import JobResult
from livedata.core.metrics import Counters
from livedata.core.result import unroll
from livedata.core.stream import StreamKind
from livedata.core.timestamp import Timestamp

START = 1_700_000_000_000_000_000
END = START + 1_000_000_000
WORKFLOW_ID = WorkflowId(instrument="dummy", name="view", version=2)
JOB_ID = JobId(source_name="panel_0")


def result(**outputs) -> JobResult:
    return JobResult(
        job_id=JOB_ID,
        workflow_id=WORKFLOW_ID,
        start_time=Timestamp(START),
        end_time=Timestamp(END),
        outputs=outputs,
    )


def histogram() -> sc.DataArray:
    return sc.DataArray(
        sc.array(dims=["toa"], values=[1.0, 2.0], unit="counts"),
        coords={"toa": sc.array(dims=["toa"], values=[0.0, 1.0, 2.0], unit="ms")},
        masks={"bad": sc.array(dims=["toa"], values=[False, True])},
    )


def test_one_message_per_output_with_result_key_stream_and_window_start():
    messages = unroll(result(cumulative=histogram(), current=histogram()))
    assert len(messages) == 2
    keys = [ResultKey.from_json(m.stream.name) for m in messages]
    assert [k.output_name for k in keys] == ["cumulative", "current"]
    assert all(k.workflow_id == WORKFLOW_ID and k.job_id == JOB_ID for k in keys)
    assert all(m.stream.kind is StreamKind.LIVEDATA_DATA for m in messages)
    assert all(m.timestamp == Timestamp(START) for m in messages)


def test_outputs_get_0d_int64_ns_time_coords_and_keep_masks():
    original = histogram()
    [message] = unroll(result(cumulative=original))
    da = message.value
    for name, ns in (("start_time", START), ("time", END)):
        coord = da.coords[name]
        assert coord.ndim == 0
        assert coord.dtype == sc.DType.int64
        assert coord.unit == "ns"
        assert coord.value == ns
    assert sc.identical(da.masks["bad"], original.masks["bad"])
    assert sc.identical(da.data, original.data)
    assert "time" not in original.coords  # the workflow's object is untouched


def test_0d_outputs_stay_0d_and_variables_become_dataarrays():
    [counts, rate] = unroll(
        result(
            counts=sc.DataArray(sc.scalar(5.0, unit="counts")),
            rate=sc.scalar(2.5, unit="1/s"),
        )
    )
    assert counts.value.ndim == 0
    assert isinstance(rate.value, sc.DataArray)
    assert rate.value.ndim == 0
    assert rate.value.coords["time"].value == END


def test_a_timeseries_keeps_its_own_time_axis():
    times = sc.array(dims=["time"], values=np.array([1, 2], dtype="int64"), unit="ns")
    series = sc.DataArray(
        sc.array(dims=["time"], values=[1.0, 2.0]), coords={"time": times}
    )
    [message] = unroll(result(series=series))
    assert sc.identical(message.value.coords["time"], times)
    assert message.value.coords["start_time"].value == START


def test_outputs_that_are_not_arrays_are_skipped_and_counted():
    counters = Counters()
    messages = unroll(result(good=histogram(), odd={"not": "an array"}), counters)
    assert [ResultKey.from_json(m.stream.name).output_name for m in messages] == [
        "good"
    ]
    assert counters.get("unroll_skipped") == 1
