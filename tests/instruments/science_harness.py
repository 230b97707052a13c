"""Shared by the LOKI, BIFROST and TBL tests: one service in-process, real bytes.

Commands, raw data and results travel as real FlatBuffers/JSON through the
in-memory source and recording sink; nothing of ours is mocked.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from livedata.core.commands import WorkflowConfig
from livedata.core.heartbeat import HEARTBEAT_INTERVAL
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.status import JobStatus
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.core.workflow import WorkflowContext
from livedata.core.workflow_spec import WorkflowSpec
from livedata.instruments import get_instrument
from livedata.kafka.memory import InMemoryRawSource, RecordingSink
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_client_adapter, build_service_adapter
from livedata.kafka.serialisers import Serialiser
from livedata.kafka.wire_builders import command_message
from livedata.services.builder import build_processor, service_kind


def heavy_modules_after_import(module: str) -> list[str]:
    """Heavy modules loaded by importing ``module`` in a fresh interpreter."""
    code = f"import sys, {module}\nprint('\\n'.join(sorted(sys.modules)))\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        m
        for m in out
        if m in ("ess", "scipp", "sciline", "scippneutron", "scippnexus")
        or m.startswith(("ess.", "scipp.", "sciline.", "scippneutron."))
    ]


def factory_workflow(
    instrument: str,
    name: str,
    source: str,
    params: Any = None,
    *,
    aux: Mapping[str, str] | None = None,
) -> tuple[WorkflowSpec, Any]:
    """The spec ``name`` and the workflow its factory builds for ``source`` as a
    service would (a new job id); a mapping of params is validated first."""
    inst = get_instrument(instrument)
    inst.load_factories()
    spec = next(s for s in inst.workflows.specs() if s.name == name)
    if params is None or isinstance(params, Mapping):
        params = spec.validate_params(params or {})
    context = WorkflowContext(
        instrument,
        JobId(source_name=source, job_number=uuid.uuid4()),
        params,
        aux_source_names=dict(aux or {}),
    )
    return spec, inst.workflows.get_factory(spec.workflow_id)(context)


class ServiceHarness:
    def __init__(self, instrument: str, service: str) -> None:
        self.instrument = get_instrument(instrument)
        mapping = self.instrument.stream_mapping(dev=True)
        self.counters = Counters()
        adapter = build_service_adapter(
            mapping, self.counters, topics=service_kind(service).topics(mapping)
        )
        self.source = InMemoryRawSource(adapter.adapt)
        self.sink = RecordingSink(Serialiser(instrument))
        self.processor = build_processor(
            self.instrument, service, self.source, self.sink, counters=self.counters
        )
        self.client = build_client_adapter(instrument, Counters())
        self.start_output: list = []  # what the last ``start`` published

    def step(self, raws: Iterable[RawMessage]) -> list:
        self.source.feed(list(raws))
        self.processor.process()
        out = []
        for record in self.sink.take():
            raw = RawMessage(record.topic, record.value, record.key, 0)
            msg = self.client.adapt(raw)
            assert msg is not None, f"client cannot decode a record on {record.topic}"
            out.append((record.topic, msg))
        return out

    def start(self, configs: Iterable[WorkflowConfig]) -> list[str]:
        """Send the configs; the acknowledgements' responses ("ACK"/"ERR")."""
        out = self.step(command_message(self.instrument.name, c) for c in configs)
        # A job without data input (a wavelength table) publishes right away.
        self.start_output = out
        topic = f"{self.instrument.name}_livedata_responses"
        return [m.value.response.value for t, m in out if t == topic]

    def results(self, out: list) -> dict[tuple[str, str, str], object]:
        """Latest result per (workflow name, source name, output name)."""
        return {
            (key.workflow_id.name, key.job_id.source_name, key.output_name): value
            for key, value in self._results(out)
        }

    def results_by_id(self, out: list) -> dict[tuple[str, str, str], object]:
        """Latest result per (workflow id, source name, output name): versions
        of one name (the facility's and livedata's own) apart."""
        return {
            (str(key.workflow_id), key.job_id.source_name, key.output_name): value
            for key, value in self._results(out)
        }

    def results_of_job(self, out: list, job_id: JobId) -> dict[str, object]:
        """Latest result per output name of one job."""
        return {
            key.output_name: value
            for key, value in self._results(out)
            if key.job_id == job_id
        }

    def next_heartbeat(self) -> list:
        """Outputs of one more step once a heartbeat is due (wall clock)."""
        time.sleep(HEARTBEAT_INTERVAL.to_seconds() + 0.1)
        return self.step([])

    def statuses(self, out: list) -> list[JobStatus]:
        """The job statuses the service's heartbeats carried, in order."""
        return [m.value for _, m in out if isinstance(m.value, JobStatus)]

    def _results(self, out: list) -> list[tuple[ResultKey, object]]:
        topic = f"{self.instrument.name}_livedata_data"
        return [
            (ResultKey.from_json(m.stream.name), m.value) for t, m in out if t == topic
        ]


def start_ns() -> int:
    """A whole second a minute ago: data times the batcher accepts as recent."""
    return (time.time_ns() - 60 * NS_PER_S) // NS_PER_S * NS_PER_S


def pulse_times(t0: int, n: int) -> list[int]:
    return [t0 + i * PULSE_PERIOD.ns for i in range(n)]


def config(
    spec: WorkflowSpec,
    source: str,
    *,
    params: Mapping | None = None,
    aux: Mapping[str, str] | None = None,
) -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId(
            instrument=spec.instrument, name=spec.name, version=spec.version
        ),
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        params=dict(params or {}),
        aux_source_names=dict(aux or {}),
    )


def assert_outputs_match_spec(spec: WorkflowSpec, results: Mapping, source: str):
    """Every declared output was published with the declared dims and sizes."""
    for name, template in spec.outputs.items():
        key = (spec.name, source, name)
        assert key in results, f"{spec.name}/{source}: no output {name!r}"
        value = results[key]
        assert value.dims == template.dims, (key, value.dims, template.dims)
        for dim, size in zip(template.dims, template.shape or (), strict=False):
            if size is not None:
                assert value.sizes[dim] == size, (key, dim, value.sizes[dim], size)
        if template.unit is not None and value.unit is not None:
            assert value.unit == template.unit or str(value.unit) == template.unit, (
                key,
                value.unit,
                template.unit,
            )
