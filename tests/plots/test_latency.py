"""The server's per-stage latency record: the last frames, a time window, and
memory that does not grow as it fills."""

from __future__ import annotations

import time
import tracemalloc

from livedata.plots.latency import StageLags


def test_summary_covers_the_last_kept_lags():
    lags = StageLags(keep=5)
    now_ms = time.time() * 1000
    for lag_ms in (900, 800, 700, 100, 200, 300, 400, 500):  # the first 3 fall out
        lags.note("received", now_ms - lag_ms, at_s=now_ms / 1000)
    received = lags.summary(60)["received"]
    assert received["count"] == 5
    assert received["median"] == 300.0
    assert received["p90"] == 500.0
    assert lags.summary(60)["computed"] == {"count": 0, "median": None, "p90": None}


def test_frames_without_data_time_are_not_counted():
    lags = StageLags()
    lags.note("batched", float("nan"))
    assert lags.summary(60)["batched"]["count"] == 0


def test_window_leaves_out_lags_noted_before_it():
    lags = StageLags()
    lags.note("rendered", time.time() * 1000 - 50)
    time.sleep(0.3)
    lags.note("rendered", time.time() * 1000 - 10)
    recent = lags.summary(0.2)["rendered"]
    assert recent["count"] == 1
    assert recent["median"] < 50
    assert lags.summary(60)["rendered"]["count"] == 2


def test_memory_does_not_grow_as_the_record_fills():
    lags = StageLags(keep=20_000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        now_ms = time.time() * 1000
        for i in range(50_000):  # fills every slot, then overwrites
            lags.note("received", now_ms - i % 700)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 10_000, f"{grown} bytes more after 50 000 lags"
    assert lags.summary(60)["received"]["count"] == 20_000
