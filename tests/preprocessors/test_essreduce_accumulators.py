"""NoCopyAccumulator and NoCopyWindowAccumulator inside a real StreamProcessor."""

from __future__ import annotations

from typing import NewType

import numpy as np
import pytest
import sciline
import scipp as sc
from ess.reduce.streaming import Accumulator, StreamProcessor

from livedata.preprocessors import NoCopyAccumulator, NoCopyWindowAccumulator

Counts = NewType("Counts", sc.DataArray)
Doubled = NewType("Doubled", sc.DataArray)
Total = NewType("Total", sc.Variable)


def double(counts: Counts) -> Doubled:
    return Doubled(counts * 2)


def total(doubled: Doubled) -> Total:
    return Total(doubled.data.sum())


def counts(values: list[float]) -> Counts:
    return Counts(
        sc.DataArray(
            sc.array(dims=["x"], values=values, unit="counts", dtype="float64"),
            coords={"x": sc.arange("x", float(len(values)), unit="m")},
        )
    )


def make_processor(accumulator: Accumulator) -> StreamProcessor:
    return StreamProcessor(
        sciline.Pipeline([double, total]),
        dynamic_keys=(Counts,),
        target_keys=(Doubled, Total),
        accumulators={Doubled: accumulator},
    )


def test_are_essreduce_accumulators() -> None:
    assert isinstance(NoCopyAccumulator(), Accumulator)
    assert isinstance(NoCopyWindowAccumulator(), Accumulator)


def test_no_copy_accumulator_is_cumulative_and_returns_its_internal_value() -> None:
    processor = make_processor(NoCopyAccumulator())
    processor.accumulate({Counts: counts([1, 2])})
    first = processor.finalize()
    assert first[Doubled].values.tolist() == [2, 4]
    processor.accumulate({Counts: counts([1, 1])})
    second = processor.finalize()
    assert second[Doubled].values.tolist() == [4, 6]
    assert sc.identical(second[Total], sc.scalar(10.0, unit="counts"))
    # added in place: the same buffer across finalizes, never copied on read
    assert np.shares_memory(first[Doubled].values, second[Doubled].values)


def test_no_copy_accumulator_does_not_mutate_the_first_pushed_value() -> None:
    accumulator = NoCopyAccumulator()
    pushed = counts([1, 2])
    accumulator.push(pushed)
    accumulator.push(counts([1, 1]))
    assert pushed.values.tolist() == [1, 2]
    assert not np.shares_memory(accumulator.value.values, pushed.values)


def test_no_copy_accumulator_clear_empties_it() -> None:
    processor = make_processor(NoCopyAccumulator())
    processor.accumulate({Counts: counts([1, 2])})
    processor.clear()
    with pytest.raises(ValueError):
        processor.finalize()
    processor.accumulate({Counts: counts([3, 3])})
    assert processor.finalize()[Doubled].values.tolist() == [6, 6]


def test_window_accumulator_returns_only_what_came_since_the_last_finalize() -> None:
    processor = make_processor(NoCopyWindowAccumulator())
    processor.accumulate({Counts: counts([1, 2])})
    processor.accumulate({Counts: counts([1, 1])})
    first = processor.finalize()
    assert first[Doubled].values.tolist() == [4, 6]
    processor.accumulate({Counts: counts([5, 5])})
    second = processor.finalize()
    assert second[Doubled].values.tolist() == [10, 10]
    assert sc.identical(second[Total], sc.scalar(20.0, unit="counts"))
    # the value handed out first was neither zeroed nor reused
    assert first[Doubled].values.tolist() == [4, 6]
    assert not np.shares_memory(first[Doubled].values, second[Doubled].values)


def test_window_accumulator_reads_its_internal_object_without_copying() -> None:
    accumulator = NoCopyWindowAccumulator()
    accumulator.push(counts([1, 2]))
    accumulator.push(counts([1, 2]))
    value = accumulator.value
    assert np.shares_memory(value.values, accumulator.value.values)
    assert value.values.tolist() == [2, 4]


def test_window_accumulator_without_new_data_keeps_the_last_window() -> None:
    processor = make_processor(NoCopyWindowAccumulator())
    processor.accumulate({Counts: counts([1, 2])})
    first = processor.finalize()
    again = processor.finalize()
    assert again[Doubled].values.tolist() == first[Doubled].values.tolist()
    processor.clear()
    with pytest.raises(ValueError):
        processor.finalize()
