"""DREAM's four services build offline and run jobs in-process (no broker)."""

import time
import uuid

import numpy as np
import pytest

from livedata.core.commands import WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.timestamp import NS_PER_S
from livedata.instruments import get_instrument
from livedata.instruments.dream import banks, fake
from livedata.kafka.memory import InMemoryRawSource, RecordingSink
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_client_adapter, build_service_adapter
from livedata.kafka.serialisers import Serialiser
from livedata.kafka.wire_builders import command_message, ev44_message
from livedata.services.builder import SERVICES, build_processor, service_kind


class Harness:
    def __init__(self, service: str) -> None:
        self.instrument = get_instrument("dream")
        mapping = self.instrument.stream_mapping(dev=True)
        self.counters = Counters()
        adapter = build_service_adapter(
            mapping, self.counters, topics=service_kind(service).topics(mapping)
        )
        self.source = InMemoryRawSource(adapter.adapt)
        self.sink = RecordingSink(Serialiser("dream"))
        self.processor = build_processor(
            self.instrument, service, self.source, self.sink, counters=self.counters
        )
        self.client = build_client_adapter("dream", Counters())

    def step(self, raws: list[RawMessage]) -> list:
        self.source.feed(raws)
        self.processor.process()
        out = []
        for record in self.sink.take():
            msg = self.client.adapt(
                RawMessage(record.topic, record.value, record.key, 0)
            )
            assert msg is not None
            out.append((record.topic, msg))
        return out


def _config(workflow: str, source: str, **kwargs) -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId.parse_str(workflow),
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        **kwargs,
    )


def _acks(out) -> list:
    return [m.value for t, m in out if t == "dream_livedata_responses"]


def _results(out) -> dict:
    return {
        ResultKey.from_json(m.stream.name).output_name: m.value
        for t, m in out
        if t == "dream_livedata_data"
    }


def _start_ns() -> int:
    return (time.time_ns() - 60 * NS_PER_S) // NS_PER_S * NS_PER_S


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_builds_for_dream(service):
    harness = Harness(service)
    out = harness.step([])
    assert any(t == "dream_livedata_heartbeat" for t, _ in out)


def test_detector_service_runs_a_mantle_view(dream_lookup_table):
    h = Harness("detector_data")
    cfg = _config("dream/mantle_view/1", banks.MANTLE.name)
    assert [
        a.response.value for a in _acks(h.step([command_message("dream", cfg)]))
    ] == ["ACK"]
    t0 = _start_ns()
    pulses = fake.make_dream_events(
        banks.MANTLE.name, n_pulses=28, events_per_pulse=500, first_pulse_ns=t0
    )
    raws = [
        RawMessage("dream_detector", payload, None, t // 10**6) for t, payload in pulses
    ]
    closing = ev44_message(
        "dream_detector", banks.MANTLE.name, t0 + 2 * NS_PER_S + 1, [229_377], [0]
    )
    results = _results(h.step([*raws, closing]))
    assert results["cumulative"].dims == ("z", "arc_length")
    assert results["counts_total_cumulative"].value == 28 * 500
    assert results["cumulative"].sum().value == pytest.approx(28 * 500)


@pytest.mark.slow
def test_data_reduction_service_runs_powder(dream_lookup_table):
    h = Harness("data_reduction")
    cfg = _config("dream/powder/1", banks.MANTLE.name, params={})
    acks = _acks(h.step([command_message("dream", cfg)]))
    assert [a.response.value for a in acks] == ["ACK"], acks
    t0 = _start_ns()
    rng = np.random.default_rng(0)
    raws = []
    for i, (t, payload) in enumerate(
        fake.make_dream_events(
            banks.MANTLE.name, n_pulses=28, events_per_pulse=2000, first_pulse_ns=t0
        )
    ):
        raws.append(RawMessage("dream_detector", payload, None, t // 10**6))
        raws.append(
            ev44_message(
                "dream_beam_monitor",
                "monitor2",  # the cave monitor's DEV source name (the facility's)
                t,
                None,
                fake.monitor_events(200, rng=rng),
                i,
            )
        )
    closing = ev44_message(
        "dream_detector", banks.MANTLE.name, t0 + 2 * NS_PER_S + 1, [229_377], [0]
    )
    out = h.step([*raws, closing])
    results = _results(out)
    assert {"i_of_dspacing", "i_of_dspacing_two_theta"} <= set(results), (
        h.counters.snapshot()
    )
    i_of_d = results["i_of_dspacing"]
    edges = i_of_d.coords["dspacing"].values
    peak = 0.5 * (edges[:-1] + edges[1:])[np.nanargmax(i_of_d.values)]
    assert peak == pytest.approx(2.0, abs=2 * (edges[1] - edges[0]))
