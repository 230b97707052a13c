"""A whole dummy service in-process, step by step: commands in, ACKs, heartbeats and
results out, all as real serialised FlatBuffers/JSON on livedata's topics."""

import json
import time
import uuid

import numpy as np
import pytest
import scipp as sc
from confluent_kafka import KafkaError, KafkaException

from livedata.core.commands import JobAction, JobCommand, WorkflowConfig
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.metrics import Counters
from livedata.core.service import EXIT_ERROR, Service
from livedata.core.status import JobStatus, ServiceStatus
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.instruments import get_instrument
from livedata.kafka.memory import InMemoryRawSource, RecordingSink
from livedata.kafka.raw import RawMessage
from livedata.kafka.routing import build_client_adapter, build_service_adapter
from livedata.kafka.serialisers import Serialiser
from livedata.kafka.source import BackgroundMessageSource
from livedata.kafka.wire_builders import (
    ad00_message,
    command_message,
    da00_message,
    ev44_message,
    f144_message,
)
from livedata.services.builder import build_processor, service_kind
from livedata.workflows.roi import RectangleROI, rectangles_to_dataarray


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
        return self.drain()

    def drain(self) -> list:
        """Decode, as a client would, everything published since the last drain."""
        out = []
        for record in self.sink.take():
            raw = RawMessage(record.topic, record.value, record.key, 0)
            msg = self.client.adapt(raw)
            assert msg is not None, f"client cannot decode a record on {record.topic}"
            out.append((record.topic, msg))
        return out


def start_ns() -> int:
    return (time.time_ns() - 60 * NS_PER_S) // NS_PER_S * NS_PER_S


def config(workflow: str, source: str, **params) -> WorkflowConfig:
    return WorkflowConfig(
        identifier=WorkflowId.parse_str(workflow),
        job_id=JobId(source_name=source, job_number=uuid.uuid4()),
        params=params,
    )


def results_of(out: list, job_id: JobId | None = None) -> dict:
    """Result values by output name (of one job, if given)."""
    found = {}
    for topic, message in out:
        if topic != "dummy_livedata_data":
            continue
        key = ResultKey.from_json(message.stream.name)
        if job_id is None or key.job_id == job_id:
            found[key.output_name] = message.value
    return found


def service_states(out: list) -> list[str]:
    return [
        m.value.state.value
        for t, m in out
        if t == "dummy_livedata_heartbeat" and isinstance(m.value, ServiceStatus)
    ]


def job_statuses(out: list, job_id: JobId) -> list[str]:
    return [
        m.value.state.value
        for t, m in out
        if t == "dummy_livedata_heartbeat"
        and isinstance(m.value, JobStatus)
        and m.value.job_id == job_id
    ]


def acks(out: list) -> list[str]:
    return [m.value.response.value for t, m in out if t == "dummy_livedata_responses"]


def test_detector_service_acks_publishes_results_and_heartbeats():
    h = Harness("detector_data")
    cfg = config("dummy/panel_0_xy/2", "panel_0")
    out = out_first = h.step([command_message("dummy", cfg)])
    answers = [m.value for t, m in out if t == "dummy_livedata_responses"]
    assert len(answers) == 1
    assert answers[0].response.value == "ACK"
    assert answers[0].message_id == cfg.message_id
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
    stop_cycle = h.step([command_message("dummy", stop)])
    stop_acks = [m.value for t, m in stop_cycle if t == "dummy_livedata_responses"]
    assert [(a.device, a.response.value) for a in stop_acks] == [
        (str(cfg.job_id), "ACK")
    ]
    # The stop publishes the final result at once, with every event so far.
    final = results_of(stop_cycle, cfg.job_id)
    assert final["cumulative"].sum().value == pytest.approx(sent)
    h.processor.shutdown()
    h.processor.finalize_and_report_stopped()
    after = h.drain()
    assert job_statuses(stop_cycle + after, cfg.job_id) == ["stopped"]
    states = service_states(out_first + stop_cycle + after)
    assert states[0] == "running"
    assert set(states[:-2]) == {"running"}
    assert states[-2:] == ["stopping", "stopped"]
    assert results_of(after) == {}  # nothing left to publish after the stop


def test_commands_for_other_services_are_ignored_and_counted():
    h = Harness("detector_data")
    out = h.step(
        [command_message("dummy", config("dummy/monitor_histogram/2", "monitor1"))]
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
    cfg = config("dummy/timeseries_data/2", "motion1")
    out = h.step([command_message("dummy", cfg)])
    assert acks(out) == ["ACK"]
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


def monitor_histogram(counts, edges_ms) -> sc.DataArray:
    """A da00-style monitor histogram over time of arrival in ms."""
    dim = "time_of_arrival"
    return sc.DataArray(
        sc.array(dims=[dim], values=np.asarray(counts, dtype=float), unit="counts"),
        coords={dim: sc.array(dims=[dim], values=np.asarray(edges_ms), unit="ms")},
    )


def test_monitor_service_histograms_ev44_events_and_da00_histograms():
    h = Harness("monitor_data")
    events_job = config("dummy/monitor_histogram/2", "monitor1")
    histogram_job = config("dummy/monitor_histogram/2", "monitor2")
    out = h.step([command_message("dummy", c) for c in (events_job, histogram_job)])
    assert acks(out) == ["ACK", "ACK"]

    rng = np.random.default_rng(1)
    t0 = start_ns()
    raws, n_events = [], 0
    for i in range(14):
        toa = rng.integers(0, 70_000_000, 500)  # inside the default 0..71.4 ms
        raws.append(
            ev44_message(
                "dummy_beam_monitor", "monitor1", t0 + i * PULSE_PERIOD.ns, None, toa
            )
        )
        n_events += len(toa)
        raws.append(
            da00_message(
                "dummy_beam_monitor",
                "monitor2",
                t0 + i * PULSE_PERIOD.ns,
                monitor_histogram([1, 2, 3], [0.0, 10.0, 20.0, 30.0]),
            )
        )
    closing = [
        ev44_message("dummy_beam_monitor", name, t0 + NS_PER_S, None, [0])
        for name in ("monitor1", "monitor2")
    ]
    out = h.step([*raws, *closing])
    by_events = results_of(out, events_job.job_id)
    by_histograms = results_of(out, histogram_job.job_id)
    assert by_events["counts_total_cumulative"].value == n_events
    assert by_events["cumulative"].dims == ("time_of_arrival",)
    assert by_events["cumulative"].coords["time_of_arrival"].unit == sc.Unit("ms")
    assert by_histograms["counts_total"].value == pytest.approx(14 * 6)
    assert by_histograms["cumulative"].sum().value == pytest.approx(14 * 6)
    assert h.counters.get("dropped_events:monitor1:out_of_range") == 0


def test_a_monitor_sending_events_and_histograms_in_one_window_loses_neither():
    """Both arrive as stream ``monitor1`` (two kinds, one name)."""
    h = Harness("monitor_data")
    job = config("dummy/monitor_histogram/2", "monitor1")
    h.step([command_message("dummy", job)])
    t0 = start_ns()
    out = h.step(
        [
            ev44_message("dummy_beam_monitor", "monitor1", t0, None, [1_000_000] * 7),
            da00_message(
                "dummy_beam_monitor",
                "monitor1",
                t0 + 1000,
                monitor_histogram([5.0], [0.0, 10.0]),
            ),
            ev44_message("dummy_beam_monitor", "monitor1", t0 + NS_PER_S, None, [0]),
        ]
    )
    assert results_of(out, job.job_id)["counts_total"].value == pytest.approx(12.0)


def test_monitor_events_outside_the_bins_are_counted_for_the_operator():
    h = Harness("monitor_data")
    job = config(
        "dummy/monitor_histogram/2",
        "monitor1",
        toa_edges={"start": 0.0, "stop": 10.0, "num_bins": 10},
    )
    h.step([command_message("dummy", job)])
    t0 = start_ns()
    toa = [1_000_000, 2_000_000, 50_000_000, 60_000_000, 70_000_000]
    out = h.step(
        [
            ev44_message("dummy_beam_monitor", "monitor1", t0, None, toa),
            ev44_message("dummy_beam_monitor", "monitor1", t0 + NS_PER_S, None, [0]),
        ]
    )
    assert results_of(out, job.job_id)["counts_total"].value == 2
    assert h.counters.get("dropped_events:monitor1:out_of_range") == 3


def test_toa_edges_with_a_unit_are_binned_in_that_unit():
    h = Harness("monitor_data")
    job = config(
        "dummy/monitor_histogram/2",
        "monitor1",
        toa_edges={"start": 0, "stop": 71400, "num_bins": 714, "unit": "us"},
    )
    assert acks(h.step([command_message("dummy", job)])) == ["ACK"]
    bad_unit = config(
        "dummy/monitor_histogram/2", "monitor2", toa_edges={"stop": 71.4, "unit": "m"}
    )
    [err] = [
        m.value
        for t, m in h.step([command_message("dummy", bad_unit)])
        if t == "dummy_livedata_responses"
    ]
    assert err.response.value == "ERR" and "unit" in err.message
    t0 = start_ns()
    out = h.step(
        [
            ev44_message("dummy_beam_monitor", "monitor1", t0, None, [70_050_000]),
            ev44_message("dummy_beam_monitor", "monitor1", t0 + NS_PER_S, None, [0]),
        ]
    )
    current = results_of(out, job.job_id)["current"]
    assert current.coords["time_of_arrival"].unit == sc.Unit("us")
    assert current.values.argmax() == 700  # 70.05 ms = 70050 us, 100 us bins


def test_data_reduction_service_counts_events_through_sciline():
    h = Harness("data_reduction")
    job = config("dummy/total_counts/2", "panel_0")
    assert acks(h.step([command_message("dummy", job)])) == ["ACK"]
    rng = np.random.default_rng(2)
    t0 = start_ns()
    pulses = [
        ev44_message(
            "dummy_detector",
            "panel_0",
            t0 + i * PULSE_PERIOD.ns,
            rng.integers(1, 16385, 300),
            rng.integers(0, 70_000_000, 300),
        )
        for i in range(14)
    ]
    second = [
        ev44_message(
            "dummy_detector",
            "panel_0",
            t0 + NS_PER_S + i * PULSE_PERIOD.ns,
            [1, 2],
            [0, 0],
        )
        for i in range(3)
    ]
    closing = ev44_message("dummy_detector", "panel_0", t0 + 2 * NS_PER_S, [1], [0])
    first = results_of(h.step(pulses), job.job_id)
    assert first == {}  # the window is still open
    out = h.step([*second, closing])
    assert [r for r in results_of(out, job.job_id)] == [
        "total_counts",
        "counts_current",
    ]
    values = results_of(out, job.job_id)
    assert values["total_counts"].value == 14 * 300 + 3 * 2
    assert values["counts_current"].value == 3 * 2


def test_area_detector_view_sums_ad00_frames():
    h = Harness("detector_data")
    job = config("dummy/area_panel_xy/2", "area_panel")
    assert acks(h.step([command_message("dummy", job)])) == ["ACK"]
    rng = np.random.default_rng(3)
    t0 = start_ns()
    frames = [rng.integers(0, 5, (256, 256)).astype(np.uint16) for _ in range(3)]
    raws = [
        ad00_message(
            "dummy_area_detector",
            "area_panel",
            t0 + i * NS_PER_S // 3,
            frame,
            unique_id=i,
        )
        for i, frame in enumerate(frames)
    ]
    closing = ad00_message(
        "dummy_area_detector",
        "area_panel",
        t0 + NS_PER_S,
        np.zeros((256, 256), np.uint16),
    )
    out = results_of(h.step([*raws, closing]), job.job_id)
    total = sum(frame.astype(float) for frame in frames)
    np.testing.assert_array_equal(out["cumulative"].values, total)
    np.testing.assert_array_equal(out["current"].values, total)
    assert out["cumulative"].dims == ("dim_0", "dim_1")
    assert out["counts_total"].value == total.sum()


def test_roi_from_the_plot_server_reaches_a_running_job_and_not_the_clock():
    """The ROI is stamped with the wall clock; the data lag it by a minute."""
    h = Harness("detector_data")
    job = config("dummy/panel_0_xy/2", "panel_0")
    h.step([command_message("dummy", job)])
    t0 = start_ns()
    rng = np.random.default_rng(4)
    pixels = rng.integers(1, 16385, 2000)
    toa = rng.integers(0, 70_000_000, 2000)
    h.step([ev44_message("dummy_detector", "panel_0", t0, pixels, toa)])
    # Right half of the panel (x > 0 m), full height.
    roi = rectangles_to_dataarray([RectangleROI(0, (0.0, 1.0), (-1.0, 1.0))], "m")
    roi_stream = f"panel_0/{job.job_id.job_number}/roi_rectangle"
    h.step([da00_message("dummy_livedata_roi", roi_stream, time.time_ns(), roi)])
    out = h.step(
        [
            ev44_message("dummy_detector", "panel_0", t0 + NS_PER_S // 2, pixels, toa),
            ev44_message("dummy_detector", "panel_0", t0 + NS_PER_S, [1], [0]),
        ]
    )
    results = results_of(out, job.job_id)
    assert h.counters.get("late_messages") == 0
    spectra = results["roi_spectra"]
    assert spectra.coords["roi"].values.tolist() == [0]
    right_half = int(np.count_nonzero((pixels - 1) % 128 >= 64))
    # The ROI came before the batch closed, so it covers both messages' events.
    assert spectra.values.sum() == 2 * right_half
    readback = results["roi_rectangle"]
    assert readback.coords["x"].values.tolist() == [0.0, 1.0]
    assert readback.coords["x"].unit == sc.Unit("m")


def test_reset_gives_a_timeseries_job_a_fresh_history_and_spares_the_others():
    h = Harness("timeseries")
    reset_job = config("dummy/timeseries_data/2", "motion1")
    other_job = config("dummy/timeseries_data/2", "motion1")
    h.step([command_message("dummy", c) for c in (reset_job, other_job)])
    t0 = start_ns()
    h.step(
        [f144_message("dummy_motion", "motion1", t0 + i, float(i)) for i in range(3)]
    )
    reset = JobCommand(job_id=reset_job.job_id, action=JobAction.RESET)
    assert acks(h.step([command_message("dummy", reset)])) == ["ACK"]
    out = h.step([f144_message("dummy_motion", "motion1", t0 + 10, 9.0)])
    assert results_of(out, reset_job.job_id)["timeseries"].values.tolist() == [9.0]
    assert results_of(out, reset_job.job_id)["latest"].value == 9.0
    assert results_of(out, other_job.job_id)["timeseries"].values.tolist() == [
        0.0,
        1.0,
        2.0,
        9.0,
    ]


class BrokenConsumer:
    """A Kafka consumer whose broker is gone: every consume fails."""

    def __init__(self) -> None:
        self.closed = False

    def consume(self, num_messages: int, timeout: float) -> list:
        raise KafkaException(KafkaError(KafkaError._TRANSPORT, "broker down"))

    def close(self) -> None:
        self.closed = True


def test_service_over_a_consumer_whose_breaker_opens_reports_error_and_exits_1():
    instrument = get_instrument("dummy")
    counters = Counters()
    consumer = BrokenConsumer()
    source = BackgroundMessageSource(
        consumer, lambda record: None, counters=counters, circuit_breaker_errors=3
    )
    sink = RecordingSink(Serialiser("dummy"))
    processor = build_processor(
        instrument, "detector_data", source, sink, counters=counters
    )
    service = Service(processor, "detector_data", poll_interval=0.01)
    source.start()
    try:
        code = service.run()
    finally:
        source.stop()
    assert code == EXIT_ERROR
    client = build_client_adapter("dummy", Counters())
    beats = [
        client.adapt(RawMessage(r.topic, r.value, r.key, 0)).value
        for r in sink.records
        if r.topic == "dummy_livedata_heartbeat"
    ]
    states = [b.state.value for b in beats if isinstance(b, ServiceStatus)]
    assert states[0] == "running" and states[-1] == "error"
    assert "broker down" in beats[-1].error
    assert counters.get("consume_errors") == 3
    assert consumer.closed
