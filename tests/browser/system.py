"""A deterministic system for the ROI and correlation browser tests.

An embedded broker, the ``detector_data`` and ``timeseries`` services as real
processes, and feeds this module writes itself (no fakes): every 0.1 s an ev44
frame in which pixel (iy, ix) of the dummy panel gets ``WEIGHT[iy, ix]`` events,
so the events inside any shape follow from the pixel centres alone; and the
two motors, which stay where ``Motors.move`` last put them. The panel is 1 m
square, 128 x 128 pixels centred on the beam, detector number ``iy*128+ix+1``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from confluent_kafka import Consumer, Producer

from livedata.core.stream import StreamKind
from livedata.kafka.adapters import Da00Adapter
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.sink import make_producer_config
from livedata.kafka.wire_builders import ev44_bytes, f144_message

N = 128
IY, IX = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
CENTRE_X = -0.5 + (IX + 0.5) / N  # metres
CENTRE_Y = -0.5 + (IY + 0.5) / N
WEIGHT = 1 + (IX + 2 * IY) % 3  # events per pixel per frame
PIXELS = np.repeat(IY.ravel() * N + IX.ravel() + 1, WEIGHT.ravel()).astype(np.int32)
PER_FRAME = int(WEIGHT.sum())
# Times of arrival spread over 0-70 ms: all inside the view's spectral bins.
TOA = (np.arange(PIXELS.size) * 7919 % 70_000_000).astype(np.int32)
ROI_TOPIC = "dummy_livedata_roi"


def weight_in_rectangle(x0: float, x1: float, y0: float, y1: float) -> int:
    """Events per frame whose pixel centre lies in the rectangle (edges in)."""
    inside = (x0 <= CENTRE_X) & (x1 >= CENTRE_X) & (y0 <= CENTRE_Y) & (y1 >= CENTRE_Y)
    return int(WEIGHT[inside].sum())


def weight_in_triangle(xs, ys) -> int:
    """Events per frame whose pixel centre lies strictly inside the triangle
    (no centre lies on an edge drawn by a mouse, to float precision)."""
    (ax, bx, cx), (ay, by, cy) = xs, ys

    def side(px, py, qx, qy):
        return (qx - px) * (CENTRE_Y - py) - (qy - py) * (CENTRE_X - px)

    s1, s2, s3 = side(ax, ay, bx, by), side(bx, by, cx, cy), side(cx, cy, ax, ay)
    inside = ((s1 > 0) & (s2 > 0) & (s3 > 0)) | ((s1 < 0) & (s2 < 0) & (s3 < 0))
    return int(WEIGHT[inside].sum())


class EventFeed:
    """Frames of the known pattern at 10 Hz, stamped with the wall clock."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = Producer(make_producer_config(bootstrap))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            payload = ev44_bytes("panel_0", time.time_ns(), PIXELS, TOA, n)
            self._producer.produce("dummy_detector", payload)
            self._producer.poll(0)
            n += 1
            self._stop.wait(0.1)
        self._producer.flush(5)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


class Motors:
    """motion1 and motion2 (f144): they report a new position when moved."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = Producer(make_producer_config(bootstrap))
        self.position: tuple[float, float] | None = None

    def move(self, motion1: float, motion2: float) -> None:
        now = time.time_ns()
        for name, value in (("motion1", motion1), ("motion2", motion2)):
            raw = f144_message("dummy_motion", name, now, float(value))
            self._producer.produce(raw.topic, raw.value, raw.key)
        self._producer.flush(5)
        self.position = (motion1, motion2)

    def close(self) -> None:
        self._producer.flush(5)


def roi_requests(bootstrap: str, quiet_s: float = 1.5) -> list[Any]:
    """Every ROI request on the topic, decoded as the service decodes them."""
    consumer = Consumer(make_consumer_config(bootstrap, "test_roi_reader"))
    try:
        assign_all(consumer, [ROI_TOPIC], at="beginning")
        adapter = Da00Adapter(StreamKind.LIVEDATA_ROI)
        out, quiet_since = [], time.monotonic()
        while time.monotonic() - quiet_since < quiet_s:
            batch = consumer.consume(num_messages=100, timeout=0.3)
            if batch:
                quiet_since = time.monotonic()
            out += [adapter.adapt(from_confluent(m)) for m in batch if not m.error()]
        return out
    finally:
        consumer.close()


def end_ns(value: Any) -> int:
    """A result's ``time`` (its window's end) in ns."""
    raw = np.asarray(value.coords["time"].values)
    if raw.dtype.kind == "M":
        return int(raw.astype("datetime64[ns]").astype(np.int64))
    return int(raw)


@dataclass
class EventSystem:
    bootstrap: str
    listener: Any  # tests.integration.helpers.Listener on the client topics
    motors: Motors
    panel_job: str  # source/uuid of dummy/panel_0_xy/2 on panel_0
    extra: dict[str, Any] = field(default_factory=dict)

    def counts_total_at(self, end_ms: float, timeout: float = 20.0) -> int:
        """counts_total of the panel job's window that ends at ``end_ms``."""
        from livedata.core.identifiers import ResultKey

        def find(messages):
            for topic, m in messages:
                if topic != "dummy_livedata_data":
                    continue
                key = ResultKey.from_json(m.stream.name)
                if (
                    str(key.job_id) != self.panel_job
                    or key.output_name != "counts_total"
                ):
                    continue
                if abs(end_ns(m.value) / 1e6 - end_ms) < 1:
                    return int(m.value.value) + 1  # +1: zero is a found value
            return None

        return self.listener.wait_for(find, timeout) - 1
