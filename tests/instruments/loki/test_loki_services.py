"""LOKI's four services built offline in-process; every declared output published."""

import numpy as np
import pytest

from livedata.instruments import get_instrument
from livedata.instruments.loki import fake, streams
from livedata.kafka.wire_builders import f144_message
from tests.instruments.science_harness import (
    ServiceHarness,
    assert_outputs_match_spec,
    config,
    pulse_times,
    start_ns,
)

LOKI = get_instrument("loki")


def raw_data(t0: int) -> list:
    """Two seconds of every LOKI stream (pulses 0..28), pulse 29 closes the window;
    in time order, as a consumer of several topics would see them."""
    times = pulse_times(t0, 30)
    raws = [
        *fake.loki_detector_messages(
            LOKI, 1e5, None, True, pulse_times=iter(times), pool_size=2
        ),
        *fake.loki_monitor_messages(
            LOKI, 1e5, None, True, pulse_times=iter(times), pool_size=2
        ),
        *(
            f144_message("loki_motion", name, t, 5.0)
            for name in streams.LOGS
            for t in times[::7]
        ),
    ]
    return sorted(raws, key=lambda r: r.timestamp_ms)


@pytest.mark.parametrize("service", sorted(LOKI.services()))
def test_service_publishes_every_declared_output(service):
    h = ServiceHarness("loki", service)
    specs = [s for s in LOKI.workflows.specs() if s.namespace == service]
    configs = [config(s, s.source_names[0]) for s in specs]
    assert h.start(configs) == ["ACK"] * len(configs)
    results = h.results(h.start_output + h.step(raw_data(start_ns())))
    for spec in specs:
        assert_outputs_match_spec(spec, results, spec.source_names[0])
    assert not [k for k in h.counters.snapshot() if k.startswith("adapt_errors")]


def test_data_reduction_service_reduces_i_of_q_from_real_bytes():
    h = ServiceHarness("loki", "data_reduction")
    spec = next(s for s in LOKI.workflows.specs() if s.name == "i_of_q")
    assert h.start([config(spec, "loki_detector_0")]) == ["ACK"]
    results = h.results(h.step(raw_data(start_ns())))
    iq = results[("i_of_q", "loki_detector_0", "i_of_q")]
    assert iq.dims == ("Q",)
    assert (iq.values[iq.values == iq.values] >= 0).all()
    assert results[("i_of_q", "loki_detector_0", "transmission")].values.mean() > 0.7


def test_log_fake_keeps_the_carriage_where_the_detector_fake_puts_the_bank():
    from streaming_data_types import deserialise_f144

    times = pulse_times(start_ns(), 15)
    raws = list(fake.loki_log_messages(LOKI, 1.0, None, True, pulse_times=iter(times)))
    values: dict[str, list[float]] = {}
    for raw in raws:
        decoded = deserialise_f144(raw.value)
        values.setdefault(decoded.source_name, []).append(float(decoded.value))
    assert values["detector_carriage/value"] == [5.0, 5.0, 5.0]  # pulses 0, 7, 14
    assert len(values["sample_rotation/value"]) == 3
    assert all(-90.0 <= v <= 90.0 for v in values["sample_rotation/value"])


def test_i_of_q_job_waits_for_the_carriage_then_reduces():
    h = ServiceHarness("loki", "data_reduction")
    spec = next(s for s in LOKI.workflows.specs() if s.name == "i_of_q")
    assert h.start([config(spec, "loki_detector_0")]) == ["ACK"]
    t0 = start_ns()
    without_logs = [r for r in raw_data(t0) if r.topic != "loki_motion"]
    assert ("i_of_q", "loki_detector_0", "i_of_q") not in h.results(
        h.step(without_logs)
    )
    later = h.results(h.step(raw_data(t0 + 3 * 10**9)))  # now with the carriage
    iq = later[("i_of_q", "loki_detector_0", "i_of_q")]
    assert np.isfinite(iq.values).any()
