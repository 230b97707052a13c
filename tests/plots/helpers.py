"""Results for plot tests: real da00 records from the services' serialiser,
decoded by the clients' adapter into a real DataService."""

from __future__ import annotations

import numpy as np
import scipp as sc

from livedata.control.data_service import DataService
from livedata.core.identifiers import JobId, WorkflowId
from livedata.core.job import JobResult
from livedata.core.metrics import Counters
from livedata.core.result import unroll
from livedata.core.timestamp import Timestamp
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_client_adapter
from livedata.kafka.serialisers import Serialiser

S = 1_000_000_000
T0 = 1_700_000_000 * S


class Publisher:
    """Publishes job outputs into a data service through real da00 bytes."""

    def __init__(self, data: DataService, instrument: str = "dummy") -> None:
        self.data = data
        self.serialise = Serialiser(instrument, host="h", pid=1)
        self.adapter = build_client_adapter(instrument, Counters())
        self.jobs: dict[tuple[str, str], JobId] = {}

    def publish(
        self, workflow: str, source: str, i: int, **outputs: sc.DataArray
    ) -> None:
        wid = WorkflowId.parse_str(workflow)
        job = self.jobs.setdefault((workflow, source), JobId(source_name=source))
        result = JobResult(
            job_id=job,
            workflow_id=wid,
            start_time=Timestamp(T0 + i * S),
            end_time=Timestamp(T0 + (i + 1) * S),
            outputs=outputs,
        )
        for message in unroll(result):
            record = self.serialise(message)
            raw = RawMessage(topic=record.topic, value=record.value, key=record.key)
            assert self.data.add(self.adapter.adapt(raw))


def image(values: np.ndarray, unit: str = "counts") -> sc.DataArray:
    ny, nx = values.shape
    return sc.DataArray(
        sc.array(dims=["y", "x"], values=values.astype(float), unit=unit),
        coords={
            "x": sc.linspace("x", -0.5, 0.5, nx + 1, unit="m"),
            "y": sc.linspace("y", -0.5, 0.5, ny + 1, unit="m"),
        },
    )


def spectrum(values, unit: str = "counts") -> sc.DataArray:
    values = np.asarray(values, dtype=float)
    return sc.DataArray(
        sc.array(dims=["time_of_arrival"], values=values, unit=unit),
        coords={
            "time_of_arrival": sc.linspace(
                "time_of_arrival", 0.0, 71.0, values.size + 1, unit="ms"
            )
        },
    )
