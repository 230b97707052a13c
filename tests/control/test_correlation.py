"""Correlation histograms: known inputs, then end to end on the in-memory bus."""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipp as sc
from pydantic import ValidationError

from livedata.control.correlation import (
    Bins,
    CorrelationParams,
    Normalisation,
    TimeSeries,
    axis_candidates,
    correlation_histogram,
    from_data_service,
)
from livedata.control.data_service import DataService
from livedata.control.memory_transport import InMemoryBus
from livedata.control.plane import ControlPlane
from livedata.control.snapshots import CommandOutcome
from livedata.kafka.wire_builders import ev44_message, f144_message

S = 1_000_000_000
T0 = 1_800_000_000 * S


def frames(counts, seconds=1.0):
    """A primary: one frame per window of ``seconds``, ending at T0 + k s."""
    ends = T0 + (np.arange(len(counts)) + 1) * int(seconds * S)
    return TimeSeries(
        "counts", ends, np.asarray(counts, float), "counts", ends - int(seconds * S)
    )


def test_counts_fall_in_the_bin_of_the_position_in_effect_at_each_frame():
    # motion1 reported at 0.5 s, 2.5 s, 4.5 s: -30, 10, 60 mm (sample and hold).
    motor = TimeSeries(
        "motion1", T0 + np.array([0.5, 2.5, 4.5]) * S, np.array([-30.0, 10, 60]), "mm"
    )
    primary = frames([5, 7, 11, 13, 17, 19])  # frames end at 1..6 s
    hist = correlation_histogram(primary, [(motor, Bins(-100, 100, 8))])
    assert hist.dims == ("motion1",)
    assert hist.coords["motion1"].unit == sc.Unit("mm")
    # -30 -> bin 2 (frames at 1, 2 s), 10 -> bin 4 (3, 4 s), 60 -> bin 6 (5, 6 s).
    assert hist.values.tolist() == [0, 0, 12, 0, 24, 0, 36, 0]
    assert hist.unit == sc.Unit("counts")
    assert hist.coords["unplaced"].value == 0


def test_frames_before_the_first_axis_value_are_unplaced_not_guessed():
    motor = TimeSeries("motion1", np.array([T0 + 2 * S + 1]), np.array([0.0]), "mm")
    hist = correlation_histogram(frames([1, 2, 3]), [(motor, Bins(-1, 1, 2))])
    assert hist.values.tolist() == [0, 3]  # only the frame ending at 3 s
    assert hist.coords["unplaced"].value == 2


def test_per_second_divides_by_the_seconds_in_each_bin():
    motor = TimeSeries("m", np.array([T0, T0 + 2 * S + 1]), np.array([0.5, 1.5]), "mm")
    primary = frames([10, 30, 20], seconds=2.0)  # ends at 2, 4, 6 s
    hist = correlation_histogram(
        primary, [(motor, Bins(0, 2, 2))], Normalisation.PER_SECOND
    )
    assert hist.values.tolist() == [pytest.approx(10 / 2), pytest.approx(50 / 4)]
    assert hist.unit == sc.Unit("counts/s")


def test_two_axes_fill_exactly_the_cells_visited():
    times = T0 + np.arange(6) * S + S // 2
    x = TimeSeries("motion1", times, np.array([-75.0, -75, 25, 25, 75, 75]), "mm")
    y = TimeSeries("motion2", times, np.array([-45.0, 45, -45, 45, -45, 45]), "deg")
    primary = frames([1, 2, 3, 4, 5, 6])
    hist = correlation_histogram(
        primary, [(x, Bins(-100, 100, 4)), (y, Bins(-180, 180, 4))]
    )
    assert hist.dims == ("motion1", "motion2")
    expected = np.zeros((4, 4))
    for xi, yi, n in [(0, 1, 1), (0, 2, 2), (2, 1, 3), (2, 2, 4), (3, 1, 5), (3, 2, 6)]:
        expected[xi, yi] = n
    assert np.array_equal(hist.values, expected)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Bins(1, 0, 3), "start < stop"),
        (lambda: Bins(0, 1, 0), "num_bins"),
        (lambda: Bins(0, float("inf"), 3), "finite"),
    ],
)
def test_bad_bins_are_refused(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_params_validate_bins_and_give_one_or_two_axes():
    one = CorrelationParams.model_validate({"x_bins": {"start": -100, "stop": 100}})
    assert one.bins == (Bins(-100, 100, 50),)
    assert one.normalisation is Normalisation.COUNTS
    two = CorrelationParams.model_validate(
        {
            "x_bins": {"start": 0, "stop": 1, "num_bins": 4},
            "y_bins": {"start": -1, "stop": 1, "num_bins": 2},
            "normalisation": "per_second",
        }
    )
    assert [b.num_bins for b in two.bins] == [4, 2]
    with pytest.raises(ValidationError, match="start < stop"):
        CorrelationParams.model_validate({"x_bins": {"start": 1, "stop": 0}})
    with pytest.raises(ValidationError, match="normalisation"):
        CorrelationParams.model_validate(
            {"x_bins": {"start": 0, "stop": 1}, "normalisation": "per_pulse"}
        )


def wait_ack(plane: ControlPlane, row) -> None:
    assert plane.wait(row.message_id, 10).outcome is CommandOutcome.ACK


@pytest.mark.slow
def test_counts_against_motion1_and_motion2_from_real_services():
    """detector_data and timeseries services on the bus; the motors visit four
    positions; the 2-D histogram of counts_total fills exactly those cells with
    exactly the events sent while the motors were there."""
    bus = InMemoryBus("dummy")
    bus.add_service("detector_data")
    bus.add_service("timeseries")
    data = DataService()
    plane = ControlPlane("dummy", bus.transport(), data_service=data, persist=False)
    plane.pump_once(0.1)
    panel = plane.start_job("dummy/panel_0_xy/1", ["panel_0"])
    wait_ack(plane, panel)
    motors = plane.start_job("dummy/timeseries_data/2", ["motion1", "motion2"])
    wait_ack(plane, motors)

    t0 = (time.time_ns() // S) * S
    visits = [(-60.0, -120.0), (-60.0, 30.0), (40.0, 30.0), (40.0, 150.0)]
    events = [300, 500, 700, 1100]
    rng = np.random.default_rng(7)
    for k, ((m1, m2), n) in enumerate(zip(visits, events, strict=True)):
        # Each window: the motors report, then n events; windows are 1 s.
        for stretch in range(2):
            at = t0 + (2 * k + stretch) * S
            bus.produce(
                [
                    f144_message("dummy_motion", "motion1", at + S // 10, m1),
                    f144_message("dummy_motion", "motion2", at + S // 10, m2),
                    ev44_message(
                        "dummy_detector",
                        "panel_0",
                        at + S // 5,
                        rng.integers(1, 16385, n),
                        rng.integers(0, 70_000_000, n),
                    ),
                ]
            )
            for _ in range(3):
                plane.pump_once(0.05)
    # One more window closes the last one.
    bus.produce([ev44_message("dummy_detector", "panel_0", t0 + 9 * S, [1], [0])])
    for _ in range(5):
        plane.pump_once(0.05)

    (job,) = panel.job_ids
    counts_key = next(
        r.key
        for r in data.result_rows()
        if r.job_id == job and r.output_name == "counts_total"
    )
    m1_key, m2_key = (
        next(
            r.key
            for r in data.result_rows()
            if r.job_id.startswith(f"{m}/") and r.output_name == "timeseries"
        )
        for m in ("motion1", "motion2")
    )
    candidates = axis_candidates(
        data.result_rows(),
        [("motion1", "mm"), ("motion2", "deg"), ("temp", "K")],
        exclude=counts_key,
    )
    labels = {c.label: c for c in candidates}
    assert labels["motion1 timeseries"].key == m1_key
    assert labels["temp"].kind == "log" and "motion1" not in labels  # published once
    assert not any(c.key == counts_key for c in candidates)

    hist = from_data_service(
        data.get,
        counts_key,
        [(m1_key, Bins(-100, 100, 4)), (m2_key, Bins(-180, 180, 4))],
    )
    assert hist is not None and hist.dims == ("motion1", "motion2")
    expected = np.zeros((4, 4))
    cells = {
        (-60.0, -120.0): (0, 0),
        (-60.0, 30.0): (0, 2),
        (40.0, 30.0): (2, 2),
        (40.0, 150.0): (2, 3),
    }
    for visit, n in zip(visits, events, strict=True):
        expected[cells[visit]] += 2 * n  # two windows per visit
    assert np.array_equal(hist.values, expected), hist.values
    assert (hist.values > 0).sum() == 4
    plane.close()
