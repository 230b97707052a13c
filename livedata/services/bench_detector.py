"""Throughput of the whole detector_data path in one process (no broker).

Pre-serialised ev44 messages (14 Hz pulses, uniform over the dummy panel's 16384
pixels) go through decode, batching, preprocessing, one ``dummy/panel_0_xy`` job
(100 time-of-arrival bins), finalize, unrolling and da00 serialisation of every
result. Operators use the figure to size hardware.

The kernel histograms a 1 s window when the window closes, so warm-up and timing
both cover whole windows: the timed loop closes the last warm-up window before the
clock starts, and a closing message ends it; the figure counts the events the
published results say were histogrammed, not the events that were sent.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass

import numpy as np

from ..core.commands import WorkflowConfig
from ..core.identifiers import JobId, ResultKey, WorkflowId
from ..core.metrics import Counters
from ..core.timestamp import NS_PER_S, PULSE_FREQUENCY_HZ, PULSE_PERIOD
from ..instruments import get_instrument
from ..kafka.memory import InMemoryRawSource, RecordingSink
from ..kafka.raw import RawMessage
from ..kafka.routing import build_client_adapter, build_service_adapter
from ..kafka.serialisers import Serialiser
from ..kafka.wire_builders import command_message, ev44_message
from .builder import build_processor, service_kind

PULSES_PER_WINDOW = PULSE_FREQUENCY_HZ  # 1 s batches of 14 Hz pulses


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
    events_sent: int


def _pulse_time(start_ns: int, index: int) -> int:
    """Exactly 14 pulses per second, so whole seconds are whole windows."""
    return start_ns + index * NS_PER_S // PULSE_FREQUENCY_HZ


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
            _pulse_time(start_ns, i),
            pixels[i % distinct],
            toas[i % distinct],
            message_id=i,
        )
        for i in range(n_pulses)
    ]


def _histogrammed_events(records, adapter) -> tuple[int, int]:
    """(events the published windows counted, number of result records)."""
    events, published = 0, 0
    for record in records:
        if record.topic != "dummy_livedata_data":
            continue
        published += 1
        message = adapter.adapt(RawMessage(record.topic, record.value, record.key, 0))
        if ResultKey.from_json(message.stream.name).output_name == "counts_total":
            events += round(message.value.value)
    return events, published


def run_detector_bench(
    *, pulses: int = 56, events_per_pulse: int = 1_000_000, warmup_pulses: int = 28
) -> BenchResult:
    """``pulses`` and ``warmup_pulses`` must be whole seconds (multiples of 14)."""
    for name, count in (("pulses", pulses), ("warmup_pulses", warmup_pulses)):
        if count <= 0 or count % PULSES_PER_WINDOW:
            raise ValueError(
                f"{name} must be a positive multiple of {PULSES_PER_WINDOW} "
                f"(whole 1 s windows), got {count}"
            )
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

    # Data times in the recent past, on a second boundary, as a live stream has.
    total = warmup_pulses + pulses
    span_s = total // PULSES_PER_WINDOW + 30
    start_ns = (time.time_ns() // NS_PER_S - span_s) * NS_PER_S
    config = WorkflowConfig(
        identifier=WorkflowId.parse_str("dummy/panel_0_xy/2"),
        job_id=JobId(source_name="panel_0", job_number=uuid.uuid4()),
    )
    source.feed([command_message("dummy", config)])
    processor.process()
    acks = [r for r in sink.take() if r.topic == "dummy_livedata_responses"]
    if not acks or b'"ACK"' not in acks[0].value:
        raise RuntimeError(f"the benchmark job was not acknowledged: {acks}")

    all_pulses = _pulses(total, events_per_pulse, start_ns)
    # Warm-up (compiles the kernel, warms caches) up to and including the first
    # timed pulse: it closes the last warm-up window before the clock starts.
    for raw in all_pulses[: warmup_pulses + 1]:
        source.feed([raw])
        processor.process()
    sink.take()

    closing = ev44_message(
        "dummy_detector", "panel_0", _pulse_time(start_ns, total), [1], [0]
    )
    timed = [*all_pulses[warmup_pulses + 1 :], closing]
    begin = time.perf_counter()
    for raw in timed:
        source.feed([raw])
        processor.process()
    seconds = time.perf_counter() - begin
    events, published = _histogrammed_events(
        sink.take(), build_client_adapter("dummy", Counters())
    )
    return BenchResult(
        events=events,
        seconds=seconds,
        events_per_s=events / seconds,
        ns_per_event=seconds * 1e9 / events if events else float("inf"),
        pulses=pulses,
        events_per_pulse=events_per_pulse,
        results_published=published,
        dropped_events=sum(
            v for k, v in counters.snapshot().items() if k.startswith("dropped")
        ),
        events_sent=pulses * events_per_pulse,
    )


def as_dict(result: BenchResult) -> dict:
    return asdict(result)
