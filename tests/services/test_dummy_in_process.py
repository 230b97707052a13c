"""A whole dummy service in-process, step by step: commands in, ACKs, heartbeats and
results out, all as real serialised FlatBuffers/JSON on livedata's topics."""

import json
import time
import uuid

import numpy as np
import pytest

from livedata.core.commands import JobAction, JobCommand, WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.status import JobStatus, ServiceStatus
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.instruments import get_instrument
from livedata.kafka.memory import InMemoryRawSource, RecordingSink
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_client_adapter, build_service_adapter
from livedata.kafka.serialisers import Serialiser
from livedata.kafka.wire_builders import command_message, ev44_message, f144_message
from livedata.services.builder import build_processor, service_kind


class Harness:
    def __init__(self, service: str) -> None:
        self.instrument = get_instrument("dummy")
        mapping = self.instrument.stream_mapping(dev=True)
        self.counters = Counters()
        adapter = build_service_adapter(
            mapping, self.counters, topics=service_kind(service).topics(mapping)
        )
        self.source = InMemoryRawSource(adapter.adapt)
        self.sink = RecordingSink(Serialiser("dummy"))
        self.processor = build_processor(
            self.instrument, service, self.source, self.sink, counters=self.counters
        )
        self.client = build_client_adapter("dummy", Counters())

    def step(self, raws: list[RawMessage]) -> list:
        self.source.feed(raws)
        self.processor.process()
        out = []
        for record in self.sink.take():
            raw = RawMessage(record.topic, record.value, record.key, 0)
            msg = self.client.adapt(raw)
            assert msg is not None, f"client cannot decode a record on {record.topic}"
            out.append((record.topic, msg))
        return out


def start_ns() -> int:
    return (time.time_ns() - 60 * NS_PER_S) // NS_PER_S * NS_PER_S


def config(workflow: str, source: str) -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId.parse_str(workflow),
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
    )


def test_detector_service_acks_publishes_results_and_heartbeats():
    h = Harness("detector_data")
    cfg = config("dummy/panel_0_xy/1", "panel_0")
    out = h.step([command_message("dummy", cfg)])
    acks = [m.value for t, m in out if t == "dummy_livedata_responses"]
    assert len(acks) == 1
    assert acks[0].response.value == "ACK"
    assert acks[0].message_id == cfg.message_id
    beats = [m.value for t, m in out if t == "dummy_livedata_heartbeat"]
    assert any(
        isinstance(b, ServiceStatus) and b.state.value == "running" for b in beats
    )

    rng = np.random.default_rng(0)
    t0 = start_ns()
    sent = 0
    pulses = []
    for i in range(28):  # two seconds of data
        n = 1000
        pixels = rng.integers(1, 16385, n)
        toa = rng.integers(0, 70_000_000, n)
        pulses.append(
            ev44_message(
                "dummy_detector", "panel_0", t0 + i * PULSE_PERIOD.ns, pixels, toa
            )
        )
        sent += n
    # One pulse in the third second closes the second window.
    closing = ev44_message("dummy_detector", "panel_0", t0 + 2 * NS_PER_S + 1, [1], [0])
    out = h.step([*pulses, closing])
    results = {
        ResultKey.from_json(m.stream.name).output_name: m.value
        for t, m in out
        if t == "dummy_livedata_data"
    }
    assert set(results) >= {
        "cumulative",
        "current",
        "counts_total_cumulative",
        "roi_spectra",
    }
    key = next(
        ResultKey.from_json(m.stream.name) for t, m in out if t == "dummy_livedata_data"
    )
    assert key.job_id == cfg.job_id
    assert key.workflow_id == cfg.identifier
    assert results["counts_total_cumulative"].value == sent
    assert results["cumulative"].sum().value == pytest.approx(sent)
    assert results["cumulative"].dims == ("y", "x")
    assert "time" in results["cumulative"].coords
    assert "start_time" in results["cumulative"].coords

    stop = JobCommand(job_id=cfg.job_id, action=JobAction.STOP)
    out = h.step([command_message("dummy", stop)])
    acks = [m.value for t, m in out if t == "dummy_livedata_responses"]
    assert [a.device for a in acks] == [str(cfg.job_id)]
    assert h.processor  # the stopped job disappears after one last status
    h.processor.shutdown()
    h.processor.finalize_and_report_stopped()
    statuses = [m.value for t, m in h.step([]) if t == "dummy_livedata_heartbeat"]
    jobs_after = [s for s in statuses if isinstance(s, JobStatus)]
    assert all(s.job_id != cfg.job_id or s.state.value == "stopped" for s in jobs_after)


def test_commands_for_other_services_are_ignored_and_counted():
    h = Harness("detector_data")
    out = h.step(
        [command_message("dummy", config("dummy/monitor_histogram/1", "monitor1"))]
    )
    assert not [m for t, m in out if t == "dummy_livedata_responses"]
    assert h.counters.get("commands_ignored") == 1


def test_bad_input_is_counted_not_fatal():
    h = Harness("detector_data")
    h.step(
        [
            RawMessage("dummy_detector", b"\x00garbage-bytes"),
            RawMessage("dummy_livedata_commands", b"{not json"),
        ]
    )
    snapshot = h.counters.snapshot()
    assert snapshot["adapt_errors:dummy_detector"] == 1
    assert snapshot["adapt_errors:dummy_livedata_commands"] == 1


def test_timeseries_service_publishes_log_history():
    h = Harness("timeseries")
    cfg = config("dummy/timeseries_data/1", "motion1")
    out = h.step([command_message("dummy", cfg)])
    assert [
        m.value.response.value for t, m in out if t == "dummy_livedata_responses"
    ] == ["ACK"]
    t0 = start_ns()
    logs = [
        f144_message("dummy_motion", "motion1", t0 + i * NS_PER_S // 2, float(i))
        for i in range(4)
    ]
    logs.append(f144_message("dummy_motion", "unregistered", t0, 1.0))
    out = h.step(logs)
    results = {
        ResultKey.from_json(m.stream.name).output_name: m.value
        for t, m in out
        if t == "dummy_livedata_data"
    }
    assert results["timeseries"].values.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert str(results["timeseries"].unit) == "mm"
    assert h.counters.get("unknown_source:dummy_motion") == 1
    json.dumps(h.counters.snapshot())  # counters are reportable as JSON
