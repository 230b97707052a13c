"""BIFROST services offline in-process: declared outputs, ratemeter physics."""

import numpy as np
import pytest

from livedata.core.timestamp import PULSE_PERIOD
from livedata.instruments import get_instrument
from livedata.instruments.bifrost import banks, fake, streams
from livedata.kafka.wire_builders import ev44_message, f144_message
from tests.instruments.science_harness import (
    ServiceHarness,
    assert_outputs_match_spec,
    config,
    pulse_times,
    start_ns,
)

BIFROST = get_instrument("bifrost")


def raw_data(t0: int, rate: float = 1e5):
    times = pulse_times(t0, 30)
    yield from fake.bifrost_detector_messages(
        BIFROST, rate, None, True, pulse_times=iter(times), pool_size=2
    )
    for t in times:
        for source in ("monitor1", "monitor2", "monitor3", "monitor4", "monitor5"):
            yield ev44_message("bifrost_beam_monitor", source, t, None, [10**6] * 50)
    for name in streams.LOGS:
        for t in times[::7]:
            yield f144_message("bifrost_motion", name, t, 10.0)


@pytest.mark.parametrize("service", sorted(BIFROST.services()))
def test_service_publishes_every_declared_output(service):
    h = ServiceHarness("bifrost", service)
    specs = [s for s in BIFROST.workflows.specs() if s.namespace == service]
    configs = [config(s, s.source_names[0]) for s in specs]
    assert h.start(configs) == ["ACK"] * len(configs)
    results = h.results(h.start_output + h.step(raw_data(start_ns())))
    for spec in specs:
        assert_outputs_match_spec(spec, results, spec.source_names[0])
    assert h.counters.get("unknown_source:bifrost_detector") == 0


def test_ratemeter_conserves_counts_and_reports_rates():
    h = ServiceHarness("bifrost", "data_reduction")
    spec = next(s for s in BIFROST.workflows.specs() if s.name == "detector_ratemeter")
    assert h.start([config(spec, "unified_detector")]) == ["ACK"]
    t0 = start_ns()
    raws = list(raw_data(t0))
    # Pulses 0..28 fill two windows (t0 + 0..2 s); pulse 29 closes the second.
    closing = pulse_times(t0, 30)[-1]
    sent = sum(
        len(ev.pixel_id) for ev in _decoded(raws) if ev.reference_time[0] != closing
    )
    results = h.results(h.step(raws))
    counts = results[("detector_ratemeter", "unified_detector", "detector_counts")]
    assert counts.shape == (5, 3, 9, 100)
    assert counts.sum().value == sent
    rate = results[("detector_ratemeter", "unified_detector", "rate")]
    assert rate.dims == ("arc", "channel") and str(rate.unit) == "counts/s"
    # The second window held 14 of the 29 pulses, each with the same events.
    total = results[("detector_ratemeter", "unified_detector", "rate_total")].value
    per_second = sent / (29 * PULSE_PERIOD.ns * 1e-9)
    assert total == pytest.approx(per_second, rel=0.1)
    # Channels differ as the fake weights them; arcs are alike.
    by_channel = rate.values.sum(axis=0)
    weights = np.array([fake.channel_weight(c) for c in range(banks.N_CHANNEL)])
    np.testing.assert_allclose(
        by_channel / by_channel.sum(), weights / weights.sum(), rtol=0.05
    )


def test_logical_view_image_holds_every_event():
    h = ServiceHarness("bifrost", "detector_data")
    spec = next(
        s for s in BIFROST.workflows.specs() if s.name == "detector_arc_channel"
    )
    assert h.start([config(spec, "unified_detector")]) == ["ACK"]
    raws = [r for r in raw_data(start_ns()) if r.topic == "bifrost_detector"]
    results = h.results(h.step(raws))
    total = results[
        ("detector_arc_channel", "unified_detector", "counts_total_cumulative")
    ]
    image = results[("detector_arc_channel", "unified_detector", "cumulative")]
    assert image.shape == (15, 90)
    assert np.nansum(image.values) == pytest.approx(total.value)
    assert total.value > 0


def _decoded(raws):
    from streaming_data_types import eventdata_ev44

    for raw in raws:
        if raw.topic == "bifrost_detector":
            yield eventdata_ev44.deserialise_ev44(raw.value)
