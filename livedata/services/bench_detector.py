"""Throughput of the whole detector_data path in one process (no broker).

Pre-serialised ev44 messages (14 Hz pulses, uniform over the dummy panel's 16384
pixels) go through decode, batching, preprocessing, one ``dummy/panel_0_xy`` job
(100 time-of-arrival bins), finalize, unrolling and da00 serialisation of every
result. Operators use the figure to size hardware.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass

import numpy as np

from ..core.commands import WorkflowConfig
from ..core.identifiers import JobId, WorkflowId
from ..core.metrics import Counters
from ..core.timestamp import NS_PER_S, PULSE_PERIOD
from ..instruments import get_instrument
from ..kafka.memory import InMemoryRawSource, RecordingSink
from ..kafka.routing import build_service_adapter
from ..kafka.serialisers import Serialiser
from ..kafka.wire_builders import command_message, ev44_message
from .builder import build_processor, service_kind


@dataclass(frozen=True)
class BenchResult:
    events: int
    seconds: float
    events_per_s: float
    ns_per_event: float
    pulses: int
    events_per_pulse: int
    results_published: int
    dropped_events: int


def _pulses(n_pulses: int, events_per_pulse: int, start_ns: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    distinct = min(n_pulses, 8)  # reuse event arrays; timestamps stay distinct
    pixels = [
        rng.integers(1, 16385, events_per_pulse, dtype=np.int32)
        for _ in range(distinct)
    ]
    toas = [
        rng.integers(0, PULSE_PERIOD.ns, events_per_pulse, dtype=np.int32)
        for _ in range(distinct)
    ]
    return [
        ev44_message(
            "dummy_detector",
            "panel_0",
            start_ns + i * PULSE_PERIOD.ns,
            pixels[i % distinct],
            toas[i % distinct],
            message_id=i,
        )
        for i in range(n_pulses)
    ]


def run_detector_bench(
    *, pulses: int = 56, events_per_pulse: int = 1_000_000, warmup_pulses: int = 28
) -> BenchResult:
    instrument = get_instrument("dummy")
    mapping = instrument.stream_mapping(dev=True)
    counters = Counters()
    kind = service_kind("detector_data")
    adapter = build_service_adapter(mapping, counters, topics=kind.topics(mapping))
    source = InMemoryRawSource(adapter.adapt)
    sink = RecordingSink(Serialiser("dummy"))
    processor = build_processor(
        instrument, "detector_data", source, sink, counters=counters
    )

    # Data times in the recent past, as a live stream would have.
    span = (warmup_pulses + pulses + 28) * PULSE_PERIOD.ns
    start_ns = (time.time_ns() - span) // NS_PER_S * NS_PER_S
    config = WorkflowConfig(
        identifier=WorkflowId.parse_str("dummy/panel_0_xy/1"),
        job_id=JobId(source_name="panel_0", job_number=uuid.uuid4()),
    )
    source.feed([command_message("dummy", config)])
    processor.process()
    acks = [r for r in sink.take() if r.topic == "dummy_livedata_responses"]
    if not acks or b'"ACK"' not in acks[0].value:
        raise RuntimeError(f"the benchmark job was not acknowledged: {acks}")

    all_pulses = _pulses(warmup_pulses + pulses, events_per_pulse, start_ns)
    for raw in all_pulses[:warmup_pulses]:  # compiles the kernel, warms caches
        source.feed([raw])
        processor.process()
    sink.take()

    timed = all_pulses[warmup_pulses:]
    begin = time.perf_counter()
    for raw in timed:
        source.feed([raw])
        processor.process()
    seconds = time.perf_counter() - begin
    results = [r for r in sink.take() if r.topic == "dummy_livedata_data"]
    events = pulses * events_per_pulse
    return BenchResult(
        events=events,
        seconds=seconds,
        events_per_s=events / seconds,
        ns_per_event=seconds * 1e9 / events,
        pulses=pulses,
        events_per_pulse=events_per_pulse,
        results_published=len(results),
        dropped_events=sum(
            v for k, v in counters.snapshot().items() if k.startswith("dropped")
        ),
    )


def as_dict(result: BenchResult) -> dict:
    return asdict(result)
