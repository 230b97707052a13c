"""The essreduce StreamProcessor bridge on a tiny real sciline pipeline."""

from typing import NewType

import pytest
import sciline
import scipp as sc
from ess.reduce.streaming import EternalAccumulator

from livedata.core.metrics import Counters
from livedata.core.timestamp import Timestamp
from livedata.workflows.stream_processor_workflow import StreamProcessorWorkflow

Counts = NewType("Counts", sc.DataArray)  # dynamic: one per batch
Factor = NewType("Factor", sc.Variable)  # context: set rarely
SummedCounts = NewType("SummedCounts", sc.DataArray)
Scaled = NewType("Scaled", sc.DataArray)
FactorEcho = NewType("FactorEcho", sc.Variable)

T0, T1 = Timestamp(0), Timestamp(1)


def summed(counts: Counts) -> SummedCounts:
    return SummedCounts(counts.copy())


def scaled(total: SummedCounts, factor: Factor) -> Scaled:
    return Scaled(total * factor)


def echo(factor: Factor) -> FactorEcho:
    return FactorEcho(factor)


def make_workflow(counters=None, targets=None):
    return StreamProcessorWorkflow(
        sciline.Pipeline([summed, scaled, echo]),
        dynamic_keys={"detector": Counts},
        context_keys={"factor": Factor},
        target_keys=targets or {"scaled": Scaled, "factor": FactorEcho},
        accumulators={SummedCounts: EternalAccumulator},
        counters=counters,
    )


def counts(value):
    return sc.DataArray(sc.scalar(float(value), unit="counts"))


def feed(wf, data):
    wf.accumulate(data, start_time=T0, end_time=T1)


def test_dynamic_inputs_accumulate_and_context_applies_at_finalize():
    wf = make_workflow()
    feed(wf, {"factor": sc.scalar(2.0), "detector": counts(3)})
    out = wf.finalize()
    assert out["scaled"].value == 6.0
    assert isinstance(out["factor"], sc.DataArray)  # Variables are wrapped
    assert out["factor"].value == 2.0
    feed(wf, {"detector": counts(4)})
    assert wf.finalize()["scaled"].value == 14.0
    # New context: accumulated data is kept, the new factor applies to it.
    feed(wf, {"factor": sc.scalar(10.0)})
    out = wf.finalize()
    assert out["scaled"].value == 70.0
    assert out["factor"].value == 10.0


def test_finalize_before_any_data_is_no_result_yet():
    wf = make_workflow()
    assert wf.finalize() == {}
    feed(wf, {"factor": sc.scalar(2.0)})  # context alone is not data
    assert wf.finalize() == {}


def test_finalize_with_data_but_no_context_raises_for_the_job_to_report():
    wf = make_workflow()
    feed(wf, {"detector": counts(1)})
    with pytest.raises(Exception, match="Factor"):
        wf.finalize()
    feed(wf, {"factor": sc.scalar(3.0)})
    assert wf.finalize()["scaled"].value == 3.0


def test_clear_drops_accumulated_data_but_keeps_context():
    wf = make_workflow()
    feed(wf, {"factor": sc.scalar(2.0), "detector": counts(5)})
    wf.clear()
    assert wf.finalize() == {}
    feed(wf, {"detector": counts(1)})
    assert wf.finalize()["scaled"].value == 2.0


def test_unknown_inputs_are_counted_and_ignored():
    counters = Counters()
    wf = make_workflow(counters)
    feed(wf, {"detector": counts(1), "factor": sc.scalar(1.0), "stray": 42})
    assert counters.get("unknown_input:stray") == 1
    assert wf.finalize()["scaled"].value == 1.0


def test_non_scipp_outputs_are_refused():
    def as_float(total: SummedCounts) -> Scaled:
        return Scaled(float(total.value))

    wf = StreamProcessorWorkflow(
        sciline.Pipeline([summed, as_float]),
        dynamic_keys={"detector": Counts},
        target_keys={"scaled": Scaled},
        accumulators=(SummedCounts,),
    )
    feed(wf, {"detector": counts(1)})
    with pytest.raises(TypeError, match="not scipp data"):
        wf.finalize()
