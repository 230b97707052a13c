"""Every output of every workflow of every instrument is published with the unit
and dims its template declares (what ``workflows show`` tells an operator).

Each service is built in-process and fed one window of every stream the
instrument maps (random events, frames, log values in range), real serialised
FlatBuffers both ways; one job of each of its workflows runs on its first
source with default params and aux inputs.
"""

import numpy as np
import pytest
import scipp as sc

from livedata.core.stream import StreamId, StreamKind
from livedata.instruments import available_instruments, get_instrument
from livedata.kafka.wire_builders import ad00_message, ev44_message, f144_message
from tests.instruments.science_harness import (
    ServiceHarness,
    config,
    pulse_times,
    start_ns,
)

pytestmark = pytest.mark.slow  # every instrument's reductions build their tables

CASES = [
    (name, service)
    for name in available_instruments()
    for service in sorted(get_instrument(name).services())
]


def _messages(instrument, t0: int) -> list:
    """One window (pulses 0..14; pulse 15 closes it) of every mapped stream."""
    mapping = instrument.stream_mapping(dev=True)
    rng = np.random.default_rng(0)
    times = pulse_times(t0, 16)
    raws = []
    for i, t in enumerate(times):
        for name, det in instrument.detectors.items():
            # a merged detector (BIFROST's) is sent on the first of its streams
            key = next(
                (
                    k
                    for k, n in mapping.detectors.items()
                    if mapping.detector_stream(n) == name
                ),
                None,
            )
            if key is not None:
                first = det.first_detector_number
                ids = rng.integers(first, first + det.n_pixels, 2000)
                toa = rng.integers(0, 71_000_000, 2000)
                raws.append(ev44_message(key.topic, key.source_name, t, ids, toa, i))
        for name in instrument.monitors:
            key = mapping.key_for(StreamId(StreamKind.MONITOR_EVENTS, name))
            if key is not None:
                toa = rng.integers(0, 71_000_000, 500)
                raws.append(ev44_message(key.topic, key.source_name, t, None, toa, i))
        for name, area in instrument.area_detectors.items():
            key = mapping.key_for(StreamId(StreamKind.AREA_DETECTOR, name))
            if key is not None:
                frame = rng.poisson(2.0, area.shape).astype(np.int32)
                raws.append(ad00_message(key.topic, key.source_name, t, frame, i))
        for name, attrs in instrument.log_attributes.items():
            key = mapping.key_for(StreamId(StreamKind.LOG, name))
            if key is not None and i % 7 == 0:
                low = attrs.value_min if attrs.value_min is not None else 0.0
                high = attrs.value_max if attrs.value_max is not None else 1.0
                value = low + 0.5 * (high - low)
                raws.append(f144_message(key.topic, key.source_name, t, value))
    return sorted(raws, key=lambda r: r.timestamp_ms)


def _declared(unit: str | None) -> sc.Unit:
    return sc.Unit("dimensionless") if unit is None else sc.Unit(unit)


@pytest.mark.parametrize(("instrument", "service"), CASES)
def test_published_units_and_dims_equal_the_templates(instrument, service):
    inst = get_instrument(instrument)
    h = ServiceHarness(instrument, service)
    specs = [s for s in inst.workflows.specs() if s.namespace == service]
    configs = [config(s, s.source_names[0]) for s in specs]
    assert h.start(configs) == ["ACK"] * len(configs)
    results = h.results(h.start_output + h.step(_messages(inst, start_ns())))
    checked = 0
    for spec in specs:
        source = spec.source_names[0]
        for name, template in spec.outputs_for(None, source).items():
            key = (spec.name, source, name)
            assert key in results, f"{instrument}/{spec.name}: no output {name!r}"
            value = results[key]
            assert value.dims == template.dims, (key, value.dims, template.dims)
            published = sc.Unit("dimensionless") if value.unit is None else value.unit
            assert published == _declared(template.unit), (
                key,
                str(published),
                template.unit,
            )
            for coord, ctemplate in template.coords.items():
                assert coord in value.coords, (key, coord)
                cunit = value.coords[coord].unit
                if ctemplate.unit is not None or cunit is not None:
                    assert cunit == _declared(ctemplate.unit), (key, coord, cunit)
            checked += 1
    assert checked == sum(len(s.outputs) for s in specs) > 0
