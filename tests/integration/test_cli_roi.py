"""``livedata roi`` as real subprocesses against a real detector_data service.

A feed thread publishes ev44 frames with a known pattern: pixel (iy, ix) of the
dummy panel gets ``weight(iy, ix)`` events in every frame. The panel is 1 m
square, 128 x 128 pixels, centred on the beam, detector number ``iy*128+ix+1``,
so the events inside any shape follow from the pixel centres alone; a window's
ROI spectrum must then hold exactly (frames in the window) x (weight inside).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from confluent_kafka import Consumer, Producer

from livedata.cli.common import ExitCode
from livedata.control.quick import wait_for_services
from livedata.core.identifiers import ResultKey
from livedata.core.stream import StreamKind
from livedata.kafka.adapters import Da00Adapter
from livedata.kafka.consumer import assign_all, make_consumer_config
from livedata.kafka.raw import from_confluent
from livedata.kafka.sink import make_producer_config
from livedata.kafka.wire_builders import ev44_bytes
from tests.cli.helpers import run_cli
from tests.integration.helpers import Listener, start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

N = 128
IY, IX = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
CENTRE_X = -0.5 + (IX + 0.5) / N  # metres
CENTRE_Y = -0.5 + (IY + 0.5) / N
WEIGHT = 1 + (IX + 2 * IY) % 3  # events per pixel per frame
PIXELS = np.repeat(IY.ravel() * N + IX.ravel() + 1, WEIGHT.ravel()).astype(np.int32)
PER_FRAME = int(WEIGHT.sum())
ROI_TOPIC = "dummy_livedata_roi"
NS_PER_S = 1_000_000_000


def weight_in_rect(x0, x1, y0, y1) -> int:
    inside = (x0 <= CENTRE_X) & (x1 >= CENTRE_X) & (y0 <= CENTRE_Y) & (y1 >= CENTRE_Y)
    return int(WEIGHT[inside].sum())


class Feed:
    """Frames of the known pattern at 10 Hz, stamped with the wall clock."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = Producer(make_producer_config(bootstrap))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        toa = (np.arange(PIXELS.size) * 7919 % 70_000_000).astype(np.int32)
        n = 0
        while not self._stop.is_set():
            payload = ev44_bytes("panel_0", time.time_ns(), PIXELS, toa, n)
            self._producer.produce("dummy_detector", payload)
            self._producer.poll(0)
            n += 1
            self._stop.wait(0.1)
        self._producer.flush(5)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture(scope="module")
def system(bootstrap):
    proc = start_service("detector_data", bootstrap)
    feed = Feed(bootstrap)
    listener = Listener(bootstrap)
    try:
        missing = wait_for_services("dummy", bootstrap, ["detector_data"], timeout=60)
        assert not missing, f"no heartbeat from {missing}"
        yield listener
    finally:
        listener.close()
        feed.stop()
        stop_service(proc)


@pytest.fixture(scope="module")
def cli(bootstrap):
    def run(*args: str, timeout: float = 60):
        env = {"LIVEDATA_KAFKA_BOOTSTRAP": bootstrap, "LIVEDATA_INSTRUMENT": "dummy"}
        return run_cli(*args, env=env, timeout=timeout)

    return run


@pytest.fixture(scope="module")
def job_id(system, cli) -> str:
    started = cli("job", "start", "--workflow", "dummy/panel_0_xy/1", "--timeout", "20")
    assert started.returncode == ExitCode.OK, started.stderr
    return started.stdout.strip()


def roi_records(bootstrap: str) -> list:
    """Every ROI request on the topic, decoded as the service decodes them."""
    consumer = Consumer(make_consumer_config(bootstrap, "test_roi_reader"))
    try:
        assign_all(consumer, [ROI_TOPIC], at="beginning")
        adapter = Da00Adapter(StreamKind.LIVEDATA_ROI)
        out, quiet_since = [], time.monotonic()
        while time.monotonic() - quiet_since < 1.5:
            batch = consumer.consume(num_messages=100, timeout=0.3)
            if batch:
                quiet_since = time.monotonic()
            out += [adapter.adapt(from_confluent(m)) for m in batch if not m.error()]
        return out
    finally:
        consumer.close()


def _ns(coord) -> int:
    value = np.asarray(coord.values)
    if value.dtype.kind == "M":
        return int(value.astype("datetime64[ns]").astype(np.int64))
    return int(value)


def window_after(listener, job_id: str, since_ns: int, roi: list[int]):
    """(counts_total, roi_spectra_current) of one window that began after
    ``since_ns`` and already has the ROI indices ``roi``."""

    def find(messages):
        by_time: dict[int, dict] = {}
        for topic, m in messages:
            if topic != "dummy_livedata_data":
                continue
            key = ResultKey.from_json(m.stream.name)
            if str(key.job_id) != job_id or "time" not in m.value.coords:
                continue
            # Outputs of one window share its end; the message time and
            # ``start_time`` are the job's start. Two windows (1 s each) after
            # the confirmation, the ROI covers the whole window.
            end = _ns(m.value.coords["time"])
            if end > since_ns + 2 * NS_PER_S:
                by_time.setdefault(end, {})[key.output_name] = m.value
        for _, outputs in sorted(by_time.items()):
            spectra = outputs.get("roi_spectra_current")
            total = outputs.get("counts_total")
            if (
                spectra is not None
                and total is not None
                and spectra.coords["roi"].values.tolist() == roi
            ):
                return total, spectra
        return None

    return listener.wait_for(find, timeout=30)


def test_set_rectangle_is_published_confirmed_and_counted_exactly(
    system, cli, job_id, bootstrap
):
    rect = (0.1, 0.3, -0.2, 0.25)
    result = cli("roi", "set", job_id, "--rect", ",".join(map(str, rect)))
    assert result.returncode == ExitCode.OK, result.stderr
    assert f"{job_id}: confirmed" in result.stdout
    confirmed_ns = time.time_ns()

    source, number = job_id.split("/")
    requests = [r for r in roi_records(bootstrap) if number in r.stream.name]
    rect_msg = [
        r for r in requests if r.stream.name == f"{source}/{number}/roi_rectangle"
    ]
    assert rect_msg, [r.stream.name for r in requests]
    da = rect_msg[-1].value
    assert da.dims == ("bounds",)
    assert str(da.coords["x"].unit) == "m"
    assert da.coords["x"].values.tolist() == [0.1, 0.3]
    assert da.coords["y"].values.tolist() == [-0.2, 0.25]
    assert da.coords["roi_index"].values.tolist() == [0, 0]
    poly_msg = [r for r in requests if r.stream.name.endswith(f"{number}/roi_polygon")]
    assert poly_msg[-1].value.sizes == {"vertex": 0}  # set replaces: no polygons

    total, spectra = window_after(system, job_id, confirmed_ns, [0])
    frames, rest = divmod(int(total.value), PER_FRAME)
    assert rest == 0 and frames > 0
    expected = weight_in_rect(*rect)
    assert 0 < expected < PER_FRAME
    assert spectra.values.sum() == frames * expected


def test_polygon_by_job_number_prefix_replaces_the_rectangle(system, cli, job_id):
    # A triangle: x >= -0.4, y >= -0.4, x + y <= 0.05 (no pixel centre on an edge).
    number_prefix = job_id.split("/")[1][:8]
    result = cli(
        "roi", "set", number_prefix, "--polygon", "-0.4,-0.4; 0.45,-0.4; -0.4,0.45"
    )
    assert result.returncode == ExitCode.OK, result.stderr
    confirmed_ns = time.time_ns()
    total, spectra = window_after(system, job_id, confirmed_ns, [4])
    inside = (CENTRE_X >= -0.4) & (CENTRE_Y >= -0.4) & (CENTRE_X + CENTRE_Y <= 0.05)
    frames, rest = divmod(int(total.value), PER_FRAME)
    assert rest == 0 and frames > 0
    assert spectra.values.sum() == frames * int(WEIGHT[inside].sum())


def test_show_prints_request_beside_readback(system, cli, job_id):
    result = cli("roi", "set", job_id, "--rect", "-100,100,-50,50", "--unit", "mm")
    assert result.returncode == ExitCode.OK, result.stderr
    shown = cli("roi", "show", job_id, "--json")
    assert shown.returncode == ExitCode.OK, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["sync"] == "confirmed"
    assert doc["request"]["unit"] == "mm"
    assert doc["request"]["shapes"][0]["x"] == [-100.0, 100.0]
    assert doc["readback"]["unit"] == "m"
    assert doc["readback"]["shapes"][0]["x"] == [-0.1, 0.1]
    text = cli("roi", "show", job_id)
    assert text.returncode == ExitCode.OK
    assert "REQUEST (mm)" in text.stdout and "READBACK (m)" in text.stdout
    assert "x -100..100  y -50..50" in text.stdout


def test_clear_publishes_no_roi_and_the_spectra_empty(system, cli, job_id):
    result = cli("roi", "clear", job_id)
    assert result.returncode == ExitCode.OK, result.stderr
    confirmed_ns = time.time_ns()
    _, spectra = window_after(system, job_id, confirmed_ns, [])
    assert spectra.sizes["roi"] == 0
    shown = cli("roi", "show", job_id)
    assert shown.returncode == ExitCode.OK
    assert "no ROIs" in shown.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--polygon", "0,0;1,1"), "at least 3 vertices"),
        (("--rect", "0.3,0.1,0,1"), "x0 < x1"),
        (("--rect", "0,1,0,nan"), "finite"),
        (tuple(a for _ in range(5) for a in ("--rect", "0,1,0,1")), "at most 4"),
        (("--rect", "0,1,0"), "expected X0,X1,Y0,Y1"),
        (("--rect", "0,1,0,1", "--unit", "s"), "--unit s"),
        (("--rect", "0,1,0,1", "--unit", "parsecs!"), "not a unit"),
    ],
)
def test_bad_shapes_exit_2_with_one_line_and_publish_nothing(
    system, cli, job_id, bootstrap, args, words
):
    before = len(roi_records(bootstrap))
    result = cli("roi", "set", job_id, *args)
    assert result.returncode == ExitCode.USAGE
    assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
    assert result.stdout == ""
    assert len(roi_records(bootstrap)) == before


def test_unknown_job_exits_2_and_publishes_nothing(system, cli, bootstrap):
    before = len(roi_records(bootstrap))
    unknown = f"panel_0/{uuid.uuid4()}"
    result = cli("roi", "set", unknown, "--rect", "0,1,0,1", "--wait", "2.5")
    assert result.returncode == ExitCode.USAGE
    assert result.stderr.strip() == (
        f"error: unknown job {unknown!r}: no service reported it in 2.5 s"
    )
    assert len(roi_records(bootstrap)) == before


def test_show_exits_3_when_no_readback_comes(system, cli):
    # A job scheduled an hour ahead publishes nothing, so no readback either.
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    started = cli(
        "job", "start", "--workflow", "dummy/panel_0_logical/1", "--start", later
    )
    assert started.returncode == ExitCode.OK, started.stderr
    scheduled = started.stdout.strip()
    shown = cli("roi", "show", scheduled, "--timeout", "2")
    assert shown.returncode == ExitCode.NO_ACK
    assert f"{scheduled}: no readback" in shown.stdout
