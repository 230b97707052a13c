"""Throughput of one reduction through the data_reduction path in one process.

Pre-serialised ev44 messages of the instrument's fake (14 Hz pulses, ``rate``
events/s in the detector, the aux monitors at 1 % of that) go through decode,
batching, preprocessing (``ToNXeventData``), one job of the workflow, finalize,
unrolling and da00 serialisation. The processor runs on the calling thread and
the kernels are single-threaded. Two figures: events per wall-clock second, and
events per CPU second of the process (``events_per_cpu_s``, all its threads:
the figure per core, which stays meaningful on a shared, loaded machine where
the wall clock includes time other processes had the core). Timing covers whole
1 s windows, as in ``bench_detector``: warm-up closes its last window before the
clock starts and a closing message ends the timed windows. ``keeps_up`` says
whether one second of data at ``rate`` took less than one CPU second.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from ..core.commands import WorkflowConfig
from ..core.identifiers import JobId
from ..core.metrics import Counters
from ..core.stream import StreamId, StreamKind
from ..core.timestamp import NS_PER_S, PULSE_FREQUENCY_HZ
from ..geometry import install_nexus_geometry
from ..instruments import get_instrument
from ..kafka.memory import InMemoryRawSource, RecordingSink
from ..kafka.raw import RawMessage
from ..kafka.routing import build_service_adapter
from ..kafka.serialisers import Serialiser
from ..kafka.stream_mapping import InputStreamKey, StreamMapping
from ..kafka.wire_builders import command_message, ev44_message, f144_message
from .builder import build_processor, service_kind

PULSES_PER_WINDOW = PULSE_FREQUENCY_HZ
MONITOR_FRACTION = 0.01
POOL = 4  # distinct event arrays per stream; timestamps stay distinct


@dataclass(frozen=True)
class Stream:
    """An internal event stream; its Kafka topic and source name come from the
    instrument's DEV mapping, as the fakes use it."""

    kind: StreamKind
    name: str
    draw: Callable[[int, np.random.Generator], tuple[np.ndarray | None, np.ndarray]]


@dataclass(frozen=True)
class ReductionCase:
    """One workflow's job and the fake streams that feed it."""

    instrument: str
    workflow: str  # "<instrument>/<name>"
    source_name: str
    detectors: tuple[Stream, ...]
    monitors: tuple[Stream, ...] = ()
    aux_source_names: tuple[tuple[str, str], ...] = ()
    context: tuple[tuple[str, float], ...] = ()  # (log name, value)


DETECTOR = StreamKind.DETECTOR_EVENTS
MONITOR = StreamKind.MONITOR_EVENTS


def _kafka_key(mapping: StreamMapping, stream: StreamId) -> InputStreamKey:
    """Where ``stream`` is on Kafka under the DEV names the fakes use."""
    key = mapping.key_for(stream)
    if key is None:
        raise ValueError(f"{stream.kind.value} {stream.name!r} is not in the mapping")
    return key


def _dream_case() -> ReductionCase:
    from ..instruments.dream import banks, fake
    from ..instruments.dream.views import geometry

    bank = geometry().bank(banks.MANTLE.name)

    def detector(n, rng):
        ev = fake.powder_events(bank, n, rng=rng, background=0.2)
        return ev.pixel_id, ev.time_of_arrival

    def monitor(n, rng):
        return None, fake.monitor_events(n, rng=rng)

    return ReductionCase(
        "dream",
        "dream/powder",
        banks.MANTLE.name,
        (Stream(DETECTOR, banks.MANTLE.name, detector),),
        (Stream(MONITOR, banks.MONITOR_CAVE, monitor),),
        (("monitor", banks.MONITOR_CAVE),),
    )


def _loki_case() -> ReductionCase:
    from ..instruments.loki import banks, fake
    from ..instruments.loki.iofq import geometry

    bank = geometry().bank(banks.REAR.name)

    def detector(n, rng):
        ev = fake.sans_events(bank, n, rng=rng)
        return ev.pixel_id, ev.time_of_arrival

    def monitor_of(name):
        return lambda n, rng: (None, fake.monitor_toa(name, n, rng=rng))

    return ReductionCase(
        "loki",
        "loki/i_of_q",
        banks.REAR.name,
        (Stream(DETECTOR, banks.REAR.name, detector),),
        tuple(
            Stream(MONITOR, name, monitor_of(name))
            for name in (banks.MONITOR_INCIDENT, banks.MONITOR_TRANSMISSION)
        ),
        (
            ("incident_monitor", banks.MONITOR_INCIDENT),
            ("transmission_monitor", banks.MONITOR_TRANSMISSION),
            ("detector_carriage", banks.CARRIAGE_LOG),
        ),
        ((banks.CARRIAGE_LOG, banks.NOMINAL_CARRIAGE_M),),
    )


def _bifrost_case() -> ReductionCase:
    from ..instruments.bifrost import banks, fake

    streams = []
    split = fake.events_per_triplet(1.0)
    weights = {k: fake.channel_weight(k[1]) for k in split}
    total = sum(weights.values())
    for (arc, channel), w in weights.items():

        def draw(n, rng, arc=arc, channel=channel, share=w / total):
            ev = fake.triplet_events(arc, channel, max(1, int(n * share)), rng=rng)
            return ev.pixel_id, ev.time_of_arrival

        streams.append(Stream(DETECTOR, banks.triplet_name(arc, channel), draw))
    return ReductionCase(
        "bifrost", "bifrost/qe_map", banks.UNIFIED.name, tuple(streams)
    )


CASES: dict[str, Callable[[], ReductionCase]] = {
    "dream/powder": _dream_case,
    "loki/i_of_q": _loki_case,
    "bifrost/qe_map": _bifrost_case,
}


@dataclass(frozen=True)
class ReductionBenchResult:
    workflow: str
    rate: float
    events: int
    seconds: float
    cpu_seconds: float
    events_per_s: float
    events_per_cpu_s: float
    ns_per_event: float
    data_seconds: float
    keeps_up: bool
    results_published: int
    dropped_events: int


def _pulse_time(start_ns: int, index: int) -> int:
    return start_ns + index * NS_PER_S // PULSE_FREQUENCY_HZ


def _workflow_id(case: ReductionCase):
    instrument = get_instrument(case.instrument)
    name = case.workflow.split("/", 1)[1]
    for spec in instrument.workflows.specs():
        if spec.name == name and spec.namespace == "data_reduction":
            return spec.workflow_id
    raise ValueError(f"{case.workflow}: no such data_reduction workflow")


def _pools(streams, events_per_pulse: int, rng) -> dict[Stream, list]:
    return {s: [s.draw(events_per_pulse, rng) for _ in range(POOL)] for s in streams}


def run_reduction_bench(
    workflow: str,
    *,
    rate: float = 1e7,
    seconds: int = 3,
    warmup_seconds: int = 2,
    seed: int = 0,
) -> ReductionBenchResult:
    if workflow not in CASES:
        raise ValueError(f"unknown workflow {workflow!r}; choose from {sorted(CASES)}")
    if seconds < 1 or warmup_seconds < 1:
        raise ValueError("seconds and warmup_seconds must be at least 1")
    install_nexus_geometry()  # the fakes and factories read the geometry files
    case = CASES[workflow]()
    instrument = get_instrument(case.instrument)
    mapping = instrument.stream_mapping(dev=True)
    counters = Counters()
    kind = service_kind("data_reduction")
    adapter = build_service_adapter(mapping, counters, topics=kind.topics(mapping))
    source = InMemoryRawSource(adapter.adapt)
    sink = RecordingSink(Serialiser(case.instrument))
    processor = build_processor(
        instrument, "data_reduction", source, sink, counters=counters
    )
    total = (warmup_seconds + seconds) * PULSES_PER_WINDOW
    start_ns = (time.time_ns() // NS_PER_S - total // PULSES_PER_WINDOW - 30) * NS_PER_S
    for name, value in case.context:
        key = _kafka_key(mapping, StreamId(StreamKind.LOG, name))
        source.feed([f144_message(key.topic, key.source_name, start_ns, value)])
    config = WorkflowConfig(
        identifier=_workflow_id(case),
        job_id=JobId(source_name=case.source_name, job_number=uuid.uuid4()),
        aux_source_names=dict(case.aux_source_names),
    )
    source.feed([command_message(case.instrument, config)])
    processor.process()
    responses = [r for r in sink.take() if r.topic.endswith("_livedata_responses")]
    if not responses or b'"ACK"' not in responses[-1].value:
        raise RuntimeError(f"the benchmark job was not acknowledged: {responses}")

    rng = np.random.default_rng(seed)
    per_pulse = max(1, int(rate / PULSE_FREQUENCY_HZ))
    detectors = _pools(case.detectors, per_pulse, rng)
    monitors = _pools(case.monitors, max(1, int(per_pulse * MONITOR_FRACTION)), rng)

    keys = {
        stream: _kafka_key(mapping, StreamId(stream.kind, stream.name))
        for stream in (*case.detectors, *case.monitors)
    }

    def pulse(i: int) -> tuple[list[RawMessage], int]:
        t = _pulse_time(start_ns, i)
        out, n = [], 0
        for pools, is_detector in ((detectors, True), (monitors, False)):
            for stream, pool in pools.items():
                ids, toa = pool[i % POOL]
                key = keys[stream]
                out.append(ev44_message(key.topic, key.source_name, t, ids, toa, i))
                n += toa.size if is_detector else 0
        return out, n

    pulses = [pulse(i) for i in range(total + 1)]
    warm = warmup_seconds * PULSES_PER_WINDOW
    for messages, _ in pulses[: warm + 1]:
        source.feed(messages)
        processor.process()
    sink.take()
    timed = pulses[warm + 1 :]
    events = pulses[warm][1] + sum(n for _, n in timed[:-1])
    begin, cpu_begin = time.perf_counter(), time.process_time()
    for messages, _ in timed:
        source.feed(messages)
        processor.process()
    elapsed = time.perf_counter() - begin
    cpu = time.process_time() - cpu_begin
    published = sum(
        1 for r in sink.take() if r.topic == f"{case.instrument}_livedata_data"
    )
    if published == 0:
        raise RuntimeError(f"{workflow}: no result was published")
    return ReductionBenchResult(
        workflow=workflow,
        rate=float(rate),
        events=events,
        seconds=elapsed,
        cpu_seconds=cpu,
        events_per_s=events / elapsed,
        events_per_cpu_s=events / cpu,
        ns_per_event=cpu * 1e9 / events,
        data_seconds=float(seconds),
        keeps_up=cpu < seconds,
        results_published=published,
        dropped_events=sum(
            v for k, v in counters.snapshot().items() if k.startswith("dropped")
        ),
    )


def as_dict(result: ReductionBenchResult) -> dict:
    return asdict(result)
