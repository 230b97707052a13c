"""Unrolling a job result into one message per output (B12, G6).

Each output travels alone so that a client subscribes to exactly the outputs it
plots; the stream name is the JSON ``ResultKey`` that tells it where it belongs.
"""

from __future__ import annotations

import logging
from typing import Any

import scipp as sc

from .identifiers import ResultKey
from .job import JobResult
from .message import Message
from .metrics import Counters
from .stream import StreamId, StreamKind

logger = logging.getLogger(__name__)


def result_stream(result: JobResult, output_name: str) -> StreamId:
    key = ResultKey(
        workflow_id=result.workflow_id, job_id=result.job_id, output_name=output_name
    )
    return StreamId(StreamKind.LIVEDATA_DATA, key.to_json())


def _time_coord(ns: int) -> sc.Variable:
    return sc.scalar(ns, unit="ns", dtype="int64")


def with_time_coords(output: Any, result: JobResult) -> sc.DataArray:
    """``output`` as a DataArray with 0-d ``start_time`` and ``time`` (window end).

    A coordinate of the same name that has dims (a timeseries' ``time`` axis) is
    the output's own and is kept. The workflow's object is not modified.
    """
    da = output if isinstance(output, sc.DataArray) else sc.DataArray(output)
    coords = {}
    for name, ns in (
        ("start_time", result.start_time.ns),
        ("time", result.end_time.ns),
    ):
        if name not in da.coords or da.coords[name].ndim == 0:
            coords[name] = _time_coord(ns)
    return da.assign_coords(coords)


def unroll(
    result: JobResult, counters: Counters | None = None
) -> list[Message[sc.DataArray]]:
    """One message per output, timestamped with the start of the data window.

    Outputs that are neither DataArray nor Variable are skipped and counted
    (``unroll_skipped``): one odd output must not cost the others.
    """
    messages = []
    for name, output in result.outputs.items():
        if not isinstance(output, sc.DataArray | sc.Variable):
            if counters is not None:
                counters.increment("unroll_skipped")
            logger.warning(
                "job %s: output %r is a %s, not a DataArray; skipped",
                result.job_id,
                name,
                type(output).__name__,
            )
            continue
        messages.append(
            Message(
                timestamp=result.start_time,
                stream=result_stream(result, name),
                value=with_time_coords(output, result),
            )
        )
    return messages
