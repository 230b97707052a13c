"""The detector carriage log moves LOKI's rear bank in the I(Q) reduction (F5)."""

import dataclasses

import numpy as np
import pytest
import scipp as sc

from livedata.core.timestamp import Timestamp
from livedata.instruments.loki import banks, fake
from livedata.instruments.loki.carriage import CarriageContext
from livedata.instruments.loki.iofq import geometry, make_iofq_workflow
from livedata.instruments.loki.iofq_spec import IofQParams
from livedata.kafka.wire_builders import ev44_bytes
from tests.instruments.loki.test_loki_iofq import carriage_log, midpoints, nxevents

REAR = banks.REAR.name
PARAMS = IofQParams.model_validate({"q_bins": {"start": 0.01, "stop": 0.3}})


def _events_with_rear_bank_at(z_m: float) -> list[tuple[int, bytes]]:
    """The world: the rear bank really is ``z_m`` from the sample."""
    nominal = geometry().bank(REAR)
    moved = dataclasses.replace(
        nominal,
        positions=nominal.positions + np.array([0.0, 0.0, z_m - 5.0]),
    )
    rng = np.random.default_rng(4)
    ev = fake.sans_events(moved, 14 * 8_000, rng=rng, band=(2.0, 4.0))
    out = []
    for i in range(14):
        part = slice(i * 8_000, (i + 1) * 8_000)
        t = i * 71_428_571
        payload = ev44_bytes(REAR, t, ev.pixel_id[part], ev.time_of_arrival[part], i)
        out.append((t, payload))
    return out


def _ring_q(events, carriage_m: float) -> float:
    wf = make_iofq_workflow(REAR, PARAMS)
    data = {
        "detector_carriage": carriage_log(carriage_m),
        REAR: nxevents(events, detector=True),
        "incident_monitor": nxevents(
            fake.make_loki_monitor_events(banks.MONITOR_INCIDENT), detector=False
        ),
        "transmission_monitor": nxevents(
            fake.make_loki_monitor_events(banks.MONITOR_TRANSMISSION), detector=False
        ),
    }
    wf.accumulate(data, start_time=Timestamp(0), end_time=Timestamp(1))
    iq = wf.finalize()["i_of_q"]
    q = midpoints(iq.coords["Q"].values)
    window = q > 0.06
    return float(q[window][np.nanargmax(iq.values[window])])


@pytest.fixture(scope="module")
def events_at_8m():
    return _events_with_rear_bank_at(8.0)


def test_carriage_where_the_bank_is_puts_the_ring_at_its_q(events_at_8m):
    q = _ring_q(events_at_8m, 8.0)
    assert q == pytest.approx(fake.Q_RING, abs=1.5 * (0.29 / 100))


def test_a_stale_carriage_scales_q_as_kinematics_say(events_at_8m):
    """Reduced as if at 5 m: pixels seem at 8/5 times the angle (small angles), and
    the shorter flight path makes every wavelength longer by L_true / L_believed:
    Q' = Q x 1.6 x 28.6 / 31.6 ~ 1.45 Q. (The normalisation with the wrong
    geometry skews the peak a few percent further up.)"""
    q = _ring_q(events_at_8m, 5.0)
    l1 = banks.SOURCE_TO_SAMPLE_M
    expected = fake.Q_RING * (8.0 / 5.0) * (l1 + 5.0) / (l1 + 8.0)
    assert q == pytest.approx(expected, rel=0.06)
    assert q > 1.3 * fake.Q_RING


class RecordingWorkflow:
    """A stand-in workflow that records what it is given (not a mock: a fake)."""

    def __init__(self) -> None:
        self.seen: list[dict] = []

    def accumulate(self, data, *, start_time, end_time) -> None:
        self.seen.append(dict(data))

    def finalize(self) -> dict:
        return {"i_of_q": sc.DataArray(sc.scalar(1.0)), "_denominator": None}

    def clear(self) -> None:
        self.seen.clear()


def test_only_changed_carriage_positions_reach_the_pipeline():
    inner = RecordingWorkflow()
    wf = CarriageContext(inner)
    window = {"start_time": Timestamp(0), "end_time": Timestamp(1)}
    for values in ([5.0], [5.0, 5.0], [4.0, 5.00001], [5.0, 6.0], [float("nan")]):
        wf.accumulate({"detector_carriage": carriage_log(*values)}, **window)
    carriages = [d["detector_carriage"].value for d in inner.seen]
    assert carriages == [5.0, 6.0]
    assert all(d["detector_carriage"].unit == "m" for d in inner.seen)
    assert wf.carriage_m == 6.0
    wf.accumulate({"loki_detector_0": "events"}, **window)
    assert inner.seen[-1] == {"loki_detector_0": "events"}
    assert set(wf.finalize()) == {"i_of_q"}  # hidden targets are not published
