"""Kafka client logs are rate-limited: the first line of a kind, then one per
interval with the number suppressed (issue 11: ~22 lines/s while a broker is down)."""

from __future__ import annotations

import logging

from livedata.kafka.log_limit import RateLimitFilter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def record(msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord(
        "livedata.kafka.source", logging.WARNING, "", 0, msg, args, None
    )


def test_one_line_per_kind_per_interval_with_the_suppressed_count() -> None:
    clock = Clock()
    limit = RateLimitFilter(10.0, clock)
    passed = []
    for second in range(30):  # 22 lines a second for 30 s
        clock.now = float(second)
        for _ in range(22):
            r = record("kafka message error: %s", "Local: Broker transport failure")
            if limit.filter(r):
                passed.append(r)
    assert len(passed) == 3
    assert "suppressed" not in passed[0].getMessage()
    assert "(219 similar lines suppressed)" in passed[1].getMessage()


def test_librdkafka_lines_differing_only_in_numbers_are_one_kind() -> None:
    clock = Clock()
    limit = RateLimitFilter(10.0, clock)
    first = record(
        "FAIL [thrd:127.0.0.1:1/bootstrap]: Connect to ipv4#127.0.0.1:1 failed"
    )
    again = record(
        "FAIL [thrd:127.0.0.1:1/bootstrap]: Connect to ipv4#127.0.0.1:1 failed: 2"
    )
    other = record("Subscribed topic not available")
    assert limit.filter(first)
    assert not limit.filter(again)
    assert limit.filter(other)
